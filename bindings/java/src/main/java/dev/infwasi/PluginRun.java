package dev.infwasi;

import java.nio.charset.StandardCharsets;

/**
 * What one call of a plugin gave back: its answer ({@code output}), or its own error message
 * ({@code error}; then {@code output} is null), and what it wrote to stdout and stderr (captured,
 * 1 MiB each).
 */
public record PluginRun(String output, String error, byte[] stdout, byte[] stderr) {
    public PluginRun {
        stdout = stdout.clone();
        stderr = stderr.clone();
    }

    @Override
    public byte[] stdout() {
        return stdout.clone();
    }

    @Override
    public byte[] stderr() {
        return stderr.clone();
    }

    /** What the plugin wrote to stdout, as UTF-8 text. */
    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** What the plugin wrote to stderr, as UTF-8 text. */
    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
