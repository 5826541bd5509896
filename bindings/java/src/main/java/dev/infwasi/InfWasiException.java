package dev.infwasi;

/** Every error inf-wasi raises: {@link #code()} is the case of the WIT error. */
public class InfWasiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public InfWasiException(ErrorCode code, String message) {
        super(code.wit() + ": " + message);
        this.code = code;
    }

    /** Called by the native library with the WIT case name. */
    InfWasiException(String wit, String message) {
        this(ErrorCode.fromWit(wit), message);
    }

    public ErrorCode code() {
        return code;
    }

    static InfWasiException invalidInput(String message) {
        return new InfWasiException(ErrorCode.INVALID_INPUT, message);
    }
}
