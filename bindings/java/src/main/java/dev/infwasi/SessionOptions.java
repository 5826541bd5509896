package dev.infwasi;

/** A session's context size (0: the model's default) and system prompt (null: none). */
public record SessionOptions(int contextSize, String systemPrompt) {
    public SessionOptions {
        if (contextSize < 0) {
            throw InfWasiException.invalidInput("contextSize must not be negative, got " + contextSize);
        }
        Text.optional(systemPrompt, "systemPrompt");
    }

    public static SessionOptions defaults() {
        return new SessionOptions(0, null);
    }
}
