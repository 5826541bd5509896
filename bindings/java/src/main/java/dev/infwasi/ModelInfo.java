package dev.infwasi;

/** What a model file says about itself; {@code chatTemplate} is null when it has none. */
public record ModelInfo(
        String name,
        String architecture,
        int contextLength,
        int vocabSize,
        int embeddingSize,
        long parameters,
        long sizeBytes,
        boolean vision,
        boolean audio,
        String chatTemplate) {}
