package dev.infwasi;

import java.util.List;

/**
 * One message of a conversation: its text, then its images (for a model registered with a
 * projector), which the model sees after the text; an assistant message's tool calls; and for a
 * {@code TOOL} message, the id of the call it answers.
 */
public record Message(Role role, String content, List<Image> images, List<ToolCall> toolCalls, String toolCallId) {
    public Message {
        if (role == null || content == null || images == null || images.stream().anyMatch(i -> i == null)) {
            throw InfWasiException.invalidInput("a message needs a role, content and non-null images");
        }
        if (toolCalls == null || toolCalls.stream().anyMatch(c -> c == null)) {
            throw InfWasiException.invalidInput("a message's tool calls must not be null");
        }
        images = List.copyOf(images);
        toolCalls = List.copyOf(toolCalls);
    }

    public Message(Role role, String content, List<Image> images) {
        this(role, content, images, List.of(), null);
    }

    public Message(Role role, String content) {
        this(role, content, List.of());
    }

    /** The result of the tool call {@code callId}, for the model to read. */
    public static Message toolResult(String callId, String content) {
        return new Message(Role.TOOL, content, List.of(), List.of(), Text.require(callId, "the call's id"));
    }

    /** An assistant turn that made {@code calls} (to replay a conversation). */
    public static Message assistant(String content, List<ToolCall> calls) {
        return new Message(Role.ASSISTANT, content, List.of(), calls, null);
    }

    public static Message system(String content) {
        return new Message(Role.SYSTEM, content);
    }

    /** A user message: text, then any images. */
    public static Message user(String content, Image... images) {
        return new Message(Role.USER, content, images == null ? null : java.util.Arrays.asList(images));
    }

    public static Message assistant(String content) {
        return new Message(Role.ASSISTANT, content);
    }
}
