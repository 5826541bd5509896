package dev.infwasi;

import java.util.List;

/**
 * One message of a conversation: its text, then its images (for a model registered with a
 * projector), which the model sees after the text.
 */
public record Message(Role role, String content, List<Image> images) {
    public Message {
        if (role == null || content == null || images == null || images.stream().anyMatch(i -> i == null)) {
            throw InfWasiException.invalidInput("a message needs a role, content and non-null images");
        }
        images = List.copyOf(images);
    }

    public Message(Role role, String content) {
        this(role, content, List.of());
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
