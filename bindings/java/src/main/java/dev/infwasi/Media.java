package dev.infwasi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A media part of a message, seen by the model where it stands in the message: an {@link Image}
 * or an {@link Audio} clip, for a model registered with a projector that takes it.
 */
public abstract sealed class Media permits Image, Audio {
    private final byte[] bytes;

    Media(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}, refused when null. */
    static byte[] copied(byte[] bytes, String what) {
        if (bytes == null) {
            throw InfWasiException.invalidInput(what + "'s bytes must not be null");
        }
        return bytes.clone();
    }

    /** The bytes of the file at {@code path}, or an invalid-input error saying why not. */
    static byte[] read(Path path, String what) {
        if (path == null) {
            throw InfWasiException.invalidInput(what + "'s path must not be null");
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw InfWasiException.invalidInput("the " + what + " " + path + " could not be read: " + e);
        }
    }

    byte[] bytes() {
        return bytes;
    }

    /** The kind as the native side's message table names it: {@code 'i'} or {@code 'a'}. */
    abstract char wireKind();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + bytes.length + " bytes)";
    }
}
