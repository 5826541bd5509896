package dev.infwasi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Loads the native library packed in the jar ({@code /native/<os>-<arch>/}), so a user needs
 * nothing but the jar. It is unpacked with the libraries it loads (llama.cpp's, the ggml CPU
 * variants one of which is chosen for this CPU, libgomp), listed in {@code libraries.txt}, into one
 * private folder where they find each other. The system property {@code infwasi.library} names a
 * library file to load instead.
 */
final class NativeLibrary {
    private static final String NAME = "libinf_wasi_jni.so";
    private static final String LIST = "libraries.txt";

    private NativeLibrary() {}

    static synchronized void load() {
        String override = System.getProperty("infwasi.library");
        if (override != null) {
            System.load(override);
            return;
        }
        String platform = platform();
        String folder = "/native/" + platform + "/";
        try {
            List<String> files = list(folder);
            if (files == null || !files.contains(NAME)) {
                throw new UnsatisfiedLinkError("inf-wasi has no native library for " + platform + " in this jar");
            }
            // A private copy per process: the jar's entries cannot be mapped directly.
            Path dir = Files.createTempDirectory("inf-wasi-");
            dir.toFile().deleteOnExit();
            for (String file : files) {
                try (InputStream in = NativeLibrary.class.getResourceAsStream(folder + file)) {
                    if (in == null) {
                        throw new UnsatisfiedLinkError("the jar lists " + file + " but does not hold it");
                    }
                    Path target = dir.resolve(file);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    target.toFile().deleteOnExit();
                }
            }
            System.load(dir.resolve(NAME).toAbsolutePath().toString());
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("could not unpack the inf-wasi native library: " + e);
        }
    }

    /** The files of one platform's folder, from its list; null when the jar has no such folder. */
    private static List<String> list(String folder) throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(folder + LIST)) {
            if (in == null) {
                return null;
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
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
