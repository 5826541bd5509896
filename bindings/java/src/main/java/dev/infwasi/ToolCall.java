package dev.infwasi;

/**
 * A call the model made: answer it with {@link Message#toolResult}, giving its {@code id}.
 * {@code arguments} is JSON text (an object).
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Text.require(id, "a tool call's id");
        Text.require(name, "a tool call's name");
        Text.require(arguments, "a tool call's arguments");
    }
}
