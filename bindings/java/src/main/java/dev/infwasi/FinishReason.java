package dev.infwasi;

/** Why generation ended. */
public enum FinishReason {
    /** The model ended its turn, or a stop string was found. */
    STOP,
    /** {@code maxTokens} was reached. */
    LENGTH,
    /** The session's context is full. */
    CONTEXT_FULL,
    /** The model called tools: {@link Completion#toolCalls()}. */
    TOOL_CALLS
}
