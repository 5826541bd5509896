package dev.infwasi;

/**
 * A session's context size in tokens (null: the engine's default) and system prompt (null: none).
 * A context size the engine cannot give (0, or above its cap) is refused when the session opens.
 */
public record SessionOptions(Integer contextSize, String systemPrompt) {
    public SessionOptions {
        if (contextSize != null && contextSize < 0) {
            throw InfWasiException.invalidInput("contextSize must not be negative, got " + contextSize);
        }
        Text.optional(systemPrompt, "systemPrompt");
    }

    public static SessionOptions defaults() {
        return new SessionOptions(null, null);
    }
}
