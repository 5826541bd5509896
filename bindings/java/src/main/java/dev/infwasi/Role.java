package dev.infwasi;

/** Who wrote a message. */
public enum Role {
    SYSTEM,
    USER,
    ASSISTANT,
    TOOL;

    String wit() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
