package dev.infwasi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The models an application registered, by name, and the sessions made over them. Nothing is
 * loaded until a session or call needs a model. Thread-safe. {@link #close()} closes every session
 * it made and frees the models' memory.
 */
public final class Engine implements AutoCloseable {
    private final Handle handle;
    private final Set<Session> sessions = Collections.newSetFromMap(new WeakHashMap<>());

    private Engine(long handle) {
        this.handle = new Handle(handle, "engine", Native::engineClose).cleanedWith(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * An engine for the model packed in {@code path} ({@code inf-wasi pack}: one {@code .wasm} holding the
     * component and the model), with the default options; an {@link ErrorCode#INVALID_MODEL} error for a
     * file that is not a packed model of this library's component.
     */
    public static Engine fromFile(Path path) {
        return builder().packedFile(path).build();
    }

    public static final class Builder {
        private final Map<String, Path> models = new LinkedHashMap<>();
        private final Map<String, Path> projectors = new LinkedHashMap<>();
        private final java.util.List<Path> packed = new java.util.ArrayList<>();
        private int threads;
        private int contextSize;
        private int parallel;
        private Batching batching;
        private long maxContextSize;
        private long maxOutputTokens;
        private long maxImageBytes;
        private long maxAudioSeconds;
        private long guestMemoryLimit;
        private long guestTimeLimitMillis;

        private Builder() {}

        /** Registers a GGUF file under {@code name}. */
        public Builder model(String name, Path path) {
            if (name == null || name.isEmpty() || path == null) {
                throw InfWasiException.invalidInput("a model needs a non-empty name and a path");
            }
            models.put(name, path);
            projectors.remove(name);
            return this;
        }

        /**
         * Registers a multimodal model: its GGUF and its projector (mmproj GGUF), which takes images,
         * audio or both.
         */
        public Builder model(String name, Path path, Path projector) {
            if (projector == null) {
                throw InfWasiException.invalidInput("a multimodal model needs the path of its projector");
            }
            model(name, path);
            projectors.put(name, projector);
            return this;
        }

        /**
         * Registers the model packed inside a {@code .wasm} file ({@code inf-wasi pack}) under the name it
         * was packed with; its weights are mapped from the file where they lie.
         */
        public Builder packedFile(Path path) {
            if (path == null) {
                throw InfWasiException.invalidInput("a packed file needs a path");
            }
            packed.add(path);
            return this;
        }

        /** Inference threads for every model (default: the cores, up to 8). */
        public Builder threads(int threads) {
            if (threads <= 0) {
                throw InfWasiException.invalidInput("threads must be positive, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The default context size of every model's sessions (default 4096). */
        public Builder contextSize(int tokens) {
            if (tokens <= 0) {
                throw InfWasiException.invalidInput("contextSize must be positive, got " + tokens);
            }
            this.contextSize = tokens;
            return this;
        }

        /**
         * Sessions of a model that share one llama.cpp context (default 1). Sessions generating at the
         * same time, on different threads, then have their tokens decoded together (continuous
         * batching), so the machine's throughput grows with the load.
         */
        public Builder parallel(int sessions) {
            this.parallel = (int) positive(sessions, "parallel");
            return this;
        }

        /** How sessions sharing a context are decoded together (default {@link Batching#EXACT}). */
        public Builder batching(Batching batching) {
            if (batching == null) {
                throw InfWasiException.invalidInput("batching must be EXACT or FAST");
            }
            this.batching = batching;
            return this;
        }

        /** The largest context a session may ask for, in tokens (default 32768). */
        public Builder maxContextSize(int tokens) {
            this.maxContextSize = positive(tokens, "maxContextSize");
            return this;
        }

        /** The most tokens one generation may produce (default 4096); a larger maxTokens is invalid input. */
        public Builder maxOutputTokens(int tokens) {
            this.maxOutputTokens = positive(tokens, "maxOutputTokens");
            return this;
        }

        /** The largest image or audio file a message may carry, in bytes (default 20 MiB). */
        public Builder maxImageBytes(long bytes) {
            this.maxImageBytes = positive(bytes, "maxImageBytes");
            return this;
        }

        /** The longest audio clip a message may carry, in seconds (default 600). */
        public Builder maxAudioSeconds(int seconds) {
            this.maxAudioSeconds = positive(seconds, "maxAudioSeconds");
            return this;
        }

        /** The most memory one instance of the component may use, in bytes (default 512 MiB, at least 1 MiB). */
        public Builder guestMemoryLimit(long bytes) {
            this.guestMemoryLimit = positive(bytes, "guestMemoryLimit");
            return this;
        }

        /**
         * The longest the component may run without returning or calling the backend (default 10 s);
         * past it the session ends with a {@link ErrorCode#CANCELLED} error. Decoding time does not
         * count, and a chat template that loops for ever fails sooner, on its own instruction budget.
         */
        public Builder guestTimeLimit(java.time.Duration limit) {
            if (limit == null || limit.isNegative() || limit.isZero()) {
                throw InfWasiException.invalidInput("guestTimeLimit must be positive, got " + limit);
            }
            this.guestTimeLimitMillis = Math.max(1, limit.toMillis());
            return this;
        }

        private static long positive(long value, String what) {
            if (value <= 0) {
                throw InfWasiException.invalidInput(what + " must be positive, got " + value);
            }
            return value;
        }

        public Engine build() {
            if (models.isEmpty() && packed.isEmpty()) {
                throw InfWasiException.invalidInput("register at least one model");
            }
            String[] names = models.keySet().toArray(new String[0]);
            String[] paths = models.values().stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new);
            String[] projectorPaths = models.keySet().stream()
                    .map(projectors::get)
                    .map(p -> p == null ? null : p.toAbsolutePath().toString())
                    .toArray(String[]::new);
            long[] limits = {
                maxContextSize, maxOutputTokens, maxImageBytes, guestMemoryLimit, guestTimeLimitMillis, maxAudioSeconds
            };
            String batchingName = batching == null ? null : batching.wireName();
            String[] packedPaths = packed.stream().map(p -> p.toAbsolutePath().toString()).toArray(String[]::new);
            return new Engine(Native.engineOpen(
                    names, paths, projectorPaths, packedPaths, threads, contextSize, parallel, batchingName, limits));
        }
    }

    /** A new conversation with {@code model}, with its own KV cache. */
    public Session session(String model) {
        return session(model, SessionOptions.defaults());
    }

    public Session session(String model, SessionOptions options) {
        if (model == null || options == null) {
            throw InfWasiException.invalidInput("session needs a model name and options");
        }
        long id = handle.use(e -> Native.sessionOpen(e, model, options.contextSize() == null ? -1 : options.contextSize(), options.systemPrompt()));
        Session session = new Session(id);
        synchronized (sessions) {
            sessions.add(session);
        }
        return session;
    }

    public ModelInfo modelInfo(String model) {
        return handle.use(e -> Native.modelInfo(e, model));
    }

    /** Token ids of {@code text}; {@code addSpecial} adds the model's BOS token. */
    public int[] tokenize(String model, String text, boolean addSpecial) {
        Text.require(text, "text");
        return handle.use(e -> Native.tokenize(e, model, text, addSpecial));
    }

    /**
     * The token ids {@code messages} make as a chat: rendered with the model's chat template, ending
     * with the assistant's opening, as a new session's {@code chat} reads them. Message text never
     * becomes control tokens (a user's {@code <end_of_turn>} stays text). Text only.
     */
    public int[] tokenizeChat(String model, List<Message> messages) {
        Session.requireMessages(messages);
        Object[] wire = Session.wire(messages);
        return handle.use(e -> Native.tokenizeChat(e, model, wire));
    }

    public String detokenize(String model, int[] tokens) {
        return handle.use(e -> Native.detokenize(e, model, tokens));
    }

    /** One mean-pooled, L2-normalised vector per text. */
    public float[][] embed(String model, String... texts) {
        if (texts == null) {
            throw InfWasiException.invalidInput("texts must not be null");
        }
        for (String text : texts) {
            Text.require(text, "a text to embed");
        }
        return handle.use(e -> Native.embed(e, model, texts));
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    /**
     * The plugin in the component file at {@code path} (a component of inf-wasi's {@code plugin}
     * world), composed with this engine. A file that is not a plugin, or one that imports more than
     * the engine and WASI 0.2, is an {@code invalid-input} error naming why.
     */
    public Plugin plugin(java.nio.file.Path path) {
        return plugin(Media.read(path, "plugin"));
    }

    /** {@link #plugin(java.nio.file.Path)} from the component's bytes. */
    public Plugin plugin(byte[] component) {
        if (component == null) {
            throw InfWasiException.invalidInput("a plugin's bytes must not be null");
        }
        return new Plugin(handle.use(e -> Native.pluginOpen(e, component)));
    }

    @Override
    public void close() {
        List<Session> open;
        synchronized (sessions) {
            open = new ArrayList<>(sessions);
            sessions.clear();
        }
        open.forEach(Session::close);
        handle.close();
    }
}
