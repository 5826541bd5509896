package dev.infwasi;

/**
 * The native library's functions (bindings/java/native). Handles are numbers in the library's
 * tables, never pointers: a closed one is an error, not a crash. Every failure, a Rust panic
 * included, arrives as an {@link InfWasiException}.
 */
final class Native {
    static {
        NativeLibrary.load();
    }

    private Native() {}

    /** Panics in Rust, for the test that no panic crosses into the JVM. */
    static native void panicForTests();

    /**
     * {@code limits}: max context size, max output tokens, max image bytes, guest memory bytes,
     * guest time in milliseconds; 0 keeps a default.
     */
    /**
     * {@code projectors}: each model's multimodal projector path, or null; {@code packed}: packed
     * files, each registering its model under the name it carries; {@code batching}: "exact", "fast" or
     * null for the default.
     */
    static native long engineOpen(
            String[] names,
            String[] paths,
            String[] projectors,
            String[] packed,
            int threads,
            int contextSize,
            int parallel,
            String batching,
            long[] limits);

    /** Asks the host to instantiate a component that imports a filesystem; throws its refusal. */
    static native void instantiateCapabilityProbe();

    static native void engineClose(long engine);

    static native long sessionOpen(long engine, String model, int contextSize, String systemPrompt);

    static native void sessionClose(long session);

    /** Cancels the running generation; safe while another thread is inside the session. */
    static native void sessionCancel(long session);

    /**
     * {@code complete} or {@code chat} (prompt null); with {@code stream}, starts a stream and returns null.
     * {@code messages}: see {@link #tokenizeChat}; {@code tools}, {@code toolChoice} and
     * {@code parallelToolCalls} as {@link GenerateOptions} flattens them.
     */
    static native Completion generate(
            long session,
            String prompt,
            Object[] messages,
            long[] whole,
            float[] fractions,
            String[] stop,
            String grammar,
            String jsonSchema,
            String[] tools,
            String[] toolChoice,
            int parallelToolCalls,
            boolean stream);

    /** The next piece of the session's stream, or null at its end. */
    static native String streamNext(long session);

    /** The next piece ({@code String}) or tool call ({@code ToolCall}) of the session's stream, or null at its end. */
    static native Object streamNextEvent(long session);

    /** The outcome of the session's last stream, once it has ended. */
    static native Completion streamCompletion(long session);

    static native void sessionReset(long session);

    /** Messages as {@link #tokenizeChat} takes them. */
    static native Object[] sessionHistory(long session);

    static native ModelInfo modelInfo(long engine, String model);

    /** A plugin composed with the engine and compiled, by number. */
    static native long pluginOpen(long engine, byte[] plugin);

    /** One call: {@code [output, error, stdout, stderr]}, exactly one of output and error not null. */
    static native Object[] pluginRun(long plugin, String input);

    static native void pluginClose(long plugin);

    static native int[] tokenize(long engine, String model, String text, boolean addSpecial);

    /**
     * {@code messages}: {@code [roles, texts, media, toolCalls, toolCallIds, mediaKinds]}:
     * {@code String[]}, {@code String[]}, each message's media bytes ({@code byte[][][]}), each
     * message's calls as id, name and arguments in turn ({@code String[][]}), each one's answered
     * call id or null ({@code String[]}) and each one's media kinds, a character per part:
     * {@code 'i'} image, {@code 'a'} audio ({@code String[]}).
     */
    static native int[] tokenizeChat(long engine, String model, Object[] messages);

    static native String detokenize(long engine, String model, int[] tokens);

    static native float[][] embed(long engine, String model, String[] texts);
}
