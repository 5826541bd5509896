package dev.infwasi;

/** One message of a conversation. */
public record Message(Role role, String content) {
    public Message {
        if (role == null || content == null) {
            throw InfWasiException.invalidInput("a message needs a role and content");
        }
    }

    public static Message system(String content) {
        return new Message(Role.SYSTEM, content);
    }

    public static Message user(String content) {
        return new Message(Role.USER, content);
    }

    public static Message assistant(String content) {
        return new Message(Role.ASSISTANT, content);
    }
}
