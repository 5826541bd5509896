package dev.infwasi;

/** What {@link Session#chatEvents} yields: text as it comes, and each tool call once it is whole. */
public sealed interface StreamEvent {
    /** A piece of text (whole UTF-8 characters). */
    record Text(String text) implements StreamEvent {}

    /** A call the model made. */
    record Call(ToolCall call) implements StreamEvent {}
}
