package dev.infwasi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the native library packed in the jar ({@code /native/<os>-<arch>/}), so a user needs
 * nothing but the jar. The system property {@code infwasi.library} names a library file to load
 * instead.
 */
final class NativeLibrary {
    private static final String NAME = "libinf_wasi_jni.so";

    private NativeLibrary() {}

    static synchronized void load() {
        String override = System.getProperty("infwasi.library");
        if (override != null) {
            System.load(override);
            return;
        }
        String platform = platform();
        String resource = "/native/" + platform + "/" + NAME;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("inf-wasi has no native library for " + platform + " in this jar");
            }
            // A private copy per process: the jar's entry cannot be mapped directly.
            Path dir = Files.createTempDirectory("inf-wasi-");
            Path file = dir.resolve(NAME);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            System.load(file.toAbsolutePath().toString());
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("could not unpack the inf-wasi native library: " + e);
        }
    }

    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.replace(' ', '-');
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : arch;
        return osName + "-" + archName;
    }
}
