package dev.infwasi;

import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One conversation, in its own instance of the component, with its own KV cache over the
 * model's shared weights. Calls on one session are serialised; sessions on different threads
 * generate at the same time.
 */
public final class Session implements AutoCloseable {
    private final Handle handle;

    Session(long id) {
        this.handle = new Handle(id, "session", Native::sessionClose).cleanedWith(this);
    }

    private static GenerateOptions orDefaults(GenerateOptions options) {
        return options == null ? GenerateOptions.defaults() : options;
    }

    private static void require(Object value, String what) {
        if (value == null) {
            throw InfWasiException.invalidInput(what + " must not be null");
        }
    }

    static void requireMessages(List<Message> messages) {
        require(messages, "messages");
        messages.forEach(m -> {
            require(m, "a message");
            Text.require(m.content(), "a message's content");
        });
    }

    /** Messages as the native side takes them (see {@link Native#tokenizeChat}). */
    static Object[] wire(List<Message> messages) {
        return new Object[] {
            messages.stream().map(m -> m.role().wit()).toArray(String[]::new),
            messages.stream().map(Message::content).toArray(String[]::new),
            messages.stream().map(m -> m.media().stream().map(Media::bytes).toArray(byte[][]::new))
                    .toArray(byte[][][]::new),
            messages.stream().map(m -> ToolCalls.flat(m.toolCalls())).toArray(String[][]::new),
            messages.stream().map(Message::toolCallId).toArray(String[]::new),
            messages.stream().map(Session::mediaKinds).toArray(String[]::new),
        };
    }

    /** A message's media kinds, one character each ({@link Media#wireKind}). */
    private static String mediaKinds(Message message) {
        StringBuilder kinds = new StringBuilder();
        message.media().forEach(m -> kinds.append(m.wireKind()));
        return kinds.toString();
    }

    /** Messages as the native side gives them (see {@link Native#tokenizeChat}). */
    static List<Message> unwire(Object[] table) {
        String[] roles = (String[]) table[0];
        String[] texts = (String[]) table[1];
        byte[][][] media = (byte[][][]) table[2];
        String[][] calls = (String[][]) table[3];
        String[] callIds = (String[]) table[4];
        String[] kinds = (String[]) table[5];
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < roles.length; i++) {
            List<Media> own = new ArrayList<>();
            for (int j = 0; j < media[i].length; j++) {
                own.add(kinds[i].charAt(j) == 'a' ? Audio.of(media[i][j]) : Image.of(media[i][j]));
            }
            Role role = Role.valueOf(roles[i].toUpperCase(java.util.Locale.ROOT));
            messages.add(new Message(role, texts[i], own, ToolCalls.of(calls[i]), callIds[i]));
        }
        return messages;
    }

    private Completion generate(String prompt, List<Message> messages, GenerateOptions options, boolean stream) {
        return generate(prompt, messages, options, stream, orDefaults(options).jsonSchema);
    }

    private synchronized Completion generate(
            String prompt, List<Message> messages, GenerateOptions options, boolean stream, String jsonSchema) {
        GenerateOptions o = orDefaults(options);
        Object[] m = messages == null ? null : wire(messages);
        return handle.use(s -> Native.generate(s, prompt, m, o.whole, o.fractions, o.stop, o.grammar, jsonSchema,
                o.tools, o.toolChoice, o.parallelToolCalls, stream));
    }

    /** A generation under {@code type}'s JSON schema (a {@code jsonSchema} in the options is refused). */
    private <T> T typed(String prompt, List<Message> messages, GenerateOptions options, Class<T> type) {
        if (orDefaults(options).jsonSchema != null) {
            throw InfWasiException.invalidInput("give a type or a jsonSchema, not both");
        }
        return Typed.parsed(type, generate(prompt, messages, options, false, Typed.jsonSchemaOf(type)));
    }

    /** Raw completion of {@code prompt} (no chat template). */
    public Completion complete(String prompt, GenerateOptions options) {
        Text.require(prompt, "the prompt");
        return generate(prompt, null, options, false);
    }

    /** Adds {@code messages} to the conversation and generates the reply, which joins it. */
    public Completion chat(List<Message> messages, GenerateOptions options) {
        requireMessages(messages);
        return generate(null, messages, options, false);
    }

    /**
     * Completes {@code prompt} under {@code type}'s JSON schema (victools' generator, with Jakarta
     * Validation constraints) and returns the answer as a {@code type}, read by Jackson. An answer
     * cut short by {@code maxTokens} is an {@code INVALID_INPUT} error.
     */
    public <T> T complete(String prompt, GenerateOptions options, Class<T> type) {
        Text.require(prompt, "the prompt");
        return typed(prompt, null, options, type);
    }

    /** Like {@link #chat}, under {@code type}'s JSON schema, returning the reply as a {@code type}. */
    public <T> T chat(List<Message> messages, GenerateOptions options, Class<T> type) {
        requireMessages(messages);
        return typed(null, messages, options, type);
    }

    /** Like {@link #complete}, piece by piece. */
    public TokenIterator iterator(String prompt, GenerateOptions options) {
        Text.require(prompt, "the prompt");
        generate(prompt, null, options, true);
        return new TokenIterator(this);
    }

    /** Like {@link #chat}, piece by piece. */
    public TokenIterator chatIterator(List<Message> messages, GenerateOptions options) {
        requireMessages(messages);
        generate(null, messages, options, true);
        return new TokenIterator(this);
    }

    /**
     * Like {@link #chatIterator}, with each tool call the model makes once it is whole: text as
     * {@link StreamEvent.Text}, calls as {@link StreamEvent.Call}.
     */
    public EventIterator chatEvents(List<Message> messages, GenerateOptions options) {
        requireMessages(messages);
        generate(null, messages, options, true);
        return new EventIterator(this);
    }

    /** Like {@link #complete}, as a sequential stream of pieces (whole UTF-8 characters). */
    public Stream<String> stream(String prompt, GenerateOptions options) {
        return asStream(iterator(prompt, options));
    }

    /** Like {@link #chat}, as a sequential stream of pieces. */
    public Stream<String> chatStream(List<Message> messages, GenerateOptions options) {
        return asStream(chatIterator(messages, options));
    }

    private static Stream<String> asStream(TokenIterator it) {
        Spliterator<String> split = Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(split, false);
    }

    synchronized String next() {
        return handle.use(Native::streamNext);
    }

    synchronized StreamEvent nextEvent() {
        Object event = handle.use(Native::streamNextEvent);
        if (event == null) {
            return null;
        }
        return event instanceof ToolCall call ? new StreamEvent.Call(call) : new StreamEvent.Text((String) event);
    }

    synchronized Completion lastCompletion() {
        return handle.use(Native::streamCompletion);
    }

    /** The conversation so far, system prompt and images included. */
    public synchronized List<Message> history() {
        return unwire(handle.use(Native::sessionHistory));
    }

    /** Forgets the conversation (keeping the system prompt) and clears the KV cache. */
    public synchronized void reset() {
        handle.use(s -> {
            Native.sessionReset(s);
            return null;
        });
    }

    /**
     * Stops the generation running now, from any thread: it ends with an {@link InfWasiException}
     * whose code is {@link ErrorCode#CANCELLED} within milliseconds, and the session stays usable.
     * Does nothing when no generation is running, or once the session is closed.
     */
    public void cancel() {
        try {
            handle.use(s -> {
                Native.sessionCancel(s);
                return null;
            });
        } catch (InfWasiException e) {
            if (!handle.isClosed()) {
                throw e;
            }
        }
    }

    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the session's instance and KV cache. */
    @Override
    public void close() {
        handle.close();
    }
}
