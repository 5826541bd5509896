package dev.infwasi;

import java.nio.file.Path;

/** An image part of a message: the bytes of a PNG or JPEG file. */
public final class Image extends Media {
    private Image(byte[] bytes) {
        super(bytes);
    }

    /** An image from file bytes (copied). */
    public static Image of(byte[] bytes) {
        return new Image(copied(bytes, "an image"));
    }

    /** An image read from a PNG or JPEG file. */
    public static Image of(Path path) {
        return new Image(read(path, "image"));
    }

    @Override
    char wireKind() {
        return 'i';
    }
}
