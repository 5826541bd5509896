package dev.infwasi;

/** Token counts of one generation; {@code cachedTokens} of the prompt were found in the KV cache. */
public record Usage(int promptTokens, int cachedTokens, int completionTokens) {}
