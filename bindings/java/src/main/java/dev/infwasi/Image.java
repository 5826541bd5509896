package dev.infwasi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An image part of a message: the bytes of a PNG or JPEG file. */
public final class Image {
    private final byte[] bytes;

    private Image(byte[] bytes) {
        this.bytes = bytes;
    }

    /** An image from file bytes (copied). */
    public static Image of(byte[] bytes) {
        if (bytes == null) {
            throw InfWasiException.invalidInput("an image's bytes must not be null");
        }
        return new Image(bytes.clone());
    }

    /** An image read from a PNG or JPEG file. */
    public static Image of(Path path) {
        if (path == null) {
            throw InfWasiException.invalidInput("an image's path must not be null");
        }
        try {
            return new Image(Files.readAllBytes(path));
        } catch (IOException e) {
            throw InfWasiException.invalidInput("the image " + path + " could not be read: " + e);
        }
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "Image(" + bytes.length + " bytes)";
    }
}
