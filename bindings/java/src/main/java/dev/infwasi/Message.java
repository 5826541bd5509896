package dev.infwasi;

import java.util.List;

/**
 * One message of a conversation: its text, then its media (images and audio, for a model
 * registered with a projector that takes them), which the model sees after the text, in order; an
 * assistant message's tool calls; and for a {@code TOOL} message, the id of the call it answers.
 */
public record Message(Role role, String content, List<Media> media, List<ToolCall> toolCalls, String toolCallId) {
    public Message {
        if (role == null || content == null || media == null || media.stream().anyMatch(i -> i == null)) {
            throw InfWasiException.invalidInput("a message needs a role, content and non-null media");
        }
        if (toolCalls == null || toolCalls.stream().anyMatch(c -> c == null)) {
            throw InfWasiException.invalidInput("a message's tool calls must not be null");
        }
        media = List.copyOf(media);
        toolCalls = List.copyOf(toolCalls);
    }

    public Message(Role role, String content, List<? extends Media> media) {
        this(role, content, media == null ? null : new java.util.ArrayList<Media>(media), List.of(), null);
    }

    public Message(Role role, String content) {
        this(role, content, List.of());
    }

    /** The message's images, in order. */
    public List<Image> images() {
        return media.stream().filter(Image.class::isInstance).map(Image.class::cast).toList();
    }

    /** The message's audio clips, in order. */
    public List<Audio> audio() {
        return media.stream().filter(Audio.class::isInstance).map(Audio.class::cast).toList();
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

    /** A user message: text, then any images and audio clips, in order. */
    public static Message user(String content, Media... media) {
        return new Message(Role.USER, content, media == null ? null : java.util.Arrays.asList(media));
    }

    public static Message assistant(String content) {
        return new Message(Role.ASSISTANT, content);
    }
}
