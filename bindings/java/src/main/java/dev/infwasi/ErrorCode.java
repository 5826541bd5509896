package dev.infwasi;

/** The cases of the WIT {@code error} variant; {@link #wit()} is the name every binding shares. */
public enum ErrorCode {
    MODEL_NOT_FOUND("model-not-found"),
    INVALID_MODEL("invalid-model"),
    INVALID_INPUT("invalid-input"),
    CONTEXT_OVERFLOW("context-overflow"),
    UNSUPPORTED("unsupported"),
    CANCELLED("cancelled"),
    BACKEND("backend");

    private final String wit;

    ErrorCode(String wit) {
        this.wit = wit;
    }

    /** The WIT case name, for example {@code "model-not-found"}. */
    public String wit() {
        return wit;
    }

    /** The code for a WIT case name; anything unknown is {@link #BACKEND}. */
    public static ErrorCode fromWit(String name) {
        for (ErrorCode code : values()) {
            if (code.wit.equals(name)) {
                return code;
            }
        }
        return BACKEND;
    }
}
