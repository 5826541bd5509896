package dev.infwasi;

import java.nio.file.Path;

/**
 * An audio part of a message: the bytes of a WAV, FLAC or MP3 file, for a model whose projector
 * has an audio encoder ({@link ModelInfo#audio()}).
 */
public final class Audio extends Media {
    private Audio(byte[] bytes) {
        super(bytes);
    }

    /** Audio from file bytes (copied). */
    public static Audio of(byte[] bytes) {
        return new Audio(copied(bytes, "an audio clip"));
    }

    /** Audio read from a WAV, FLAC or MP3 file. */
    public static Audio of(Path path) {
        return new Audio(read(path, "audio"));
    }

    @Override
    char wireKind() {
        return 'a';
    }
}
