package dev.infwasi;

/** A finished generation. */
public record Completion(String text, FinishReason finishReason, Usage usage) {
    /** Made by the native library. */
    Completion(String text, String finishReason, int promptTokens, int cachedTokens, int completionTokens) {
        this(text, FinishReason.valueOf(finishReason), new Usage(promptTokens, cachedTokens, completionTokens));
    }
}
