package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared conformance cases (tests/conformance/cases.json) through the Java package: every
 * outcome equals the Rust runner's (the reference, checked there against llama.cpp itself) and
 * holds what the case expects. This runner only converts; the format is in
 * tests/conformance/README.md.
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REFERENCE = Support.REPO.resolve("target/conformance/reference.json");
    private static final Map<String, Engine> ENGINES = new HashMap<>();
    private static JsonNode reference;
    private static JsonNode fixtures;

    @BeforeAll
    static void open() throws IOException, InterruptedException {
        if (!Files.exists(REFERENCE)) {
            // The Rust runner writes it; run it here rather than depend on suite order.
            Process cargo = new ProcessBuilder("cargo", "test", "--release", "--workspace", "--locked", "--test", "conformance")
                    .directory(Support.REPO.toFile())
                    .inheritIO()
                    .start();
            assertEquals(0, cargo.waitFor(), "the Rust conformance runner failed");
        }
        reference = JSON.readTree(REFERENCE.toFile());
        ProcessBuilder builder = new ProcessBuilder("python3", Support.REPO.resolve("tests/conformance/fixtures.py").toString());
        builder.environment().put("INF_WASI_MODEL", Support.MODEL.toString());
        Process p = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "tests/conformance/fixtures.py failed");
        fixtures = JSON.readTree(Path.of(out).toFile());
    }

    @AfterAll
    static void close() {
        ENGINES.values().forEach(Engine::close);
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        JSON.readTree(Support.REPO.resolve("tests/conformance/cases.json").toFile())
                .get("cases")
                .forEach(c -> cases.add(Arguments.of(c.get("id").asText(), c)));
        return cases.stream();
    }

    private static Engine engine(String name) {
        return ENGINES.computeIfAbsent(name, n -> {
            JsonNode spec = fixtures.get("engines").get(n);
            Engine.Builder b = Engine.builder().threads(spec.get("threads").asInt()).contextSize(spec.get("context_size").asInt());
            spec.get("models").properties().forEach(m -> {
                Path path = Path.of(m.getValue().get("path").asText());
                JsonNode projector = m.getValue().get("projector");
                if (projector.isNull()) {
                    b.model(m.getKey(), path);
                } else {
                    b.model(m.getKey(), path, Path.of(projector.asText()));
                }
            });
            if (spec.has("guest_time_limit_ms")) {
                b.guestTimeLimit(Duration.ofMillis(spec.get("guest_time_limit_ms").asLong()));
            }
            if (spec.has("guest_memory_limit")) {
                b.guestMemoryLimit(spec.get("guest_memory_limit").asLong());
            }
            if (spec.has("max_audio_seconds")) {
                b.maxAudioSeconds(spec.get("max_audio_seconds").asInt());
            }
            return b.build();
        });
    }

    /** A string in the file: literal, or {@code {"repeat": s, "times": n}}. */
    private static String text(JsonNode v) {
        return v.isTextual() ? v.asText() : v.get("repeat").asText().repeat(v.get("times").asInt());
    }

    private static GenerateOptions options(JsonNode o) {
        GenerateOptions.Builder b = GenerateOptions.builder();
        if (o == null) {
            return b.build();
        }
        if (o.has("max_tokens")) b.maxTokens(o.get("max_tokens").asLong());
        if (o.has("temperature")) b.temperature((float) o.get("temperature").asDouble());
        if (o.has("top_k")) b.topK(o.get("top_k").asLong());
        if (o.has("top_p")) b.topP((float) o.get("top_p").asDouble());
        if (o.has("min_p")) b.minP((float) o.get("min_p").asDouble());
        if (o.has("repeat_penalty")) b.repeatPenalty((float) o.get("repeat_penalty").asDouble());
        if (o.has("repeat_last_n")) b.repeatLastN(o.get("repeat_last_n").asLong());
        if (o.has("seed")) b.seed(o.get("seed").asLong());
        if (o.has("stop")) o.get("stop").forEach(s -> b.stop(text(s)));
        if (o.has("grammar")) b.grammar(text(o.get("grammar")));
        if (o.has("json_schema")) {
            JsonNode schema = o.get("json_schema");
            b.jsonSchema(schema.isTextual() ? schema.asText() : schema.toString());
        }
        for (JsonNode t : o.path("tools")) {
            JsonNode p = t.get("parameters");
            String parameters = p == null ? null : p.isTextual() ? p.asText() : p.toString();
            b.tool(Tool.of(t.get("name").asText(), t.has("description") ? text(t.get("description")) : null, parameters));
        }
        if (o.has("tool_choice")) {
            JsonNode c = o.get("tool_choice");
            b.toolChoice(switch (c.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> ToolChoice.function(c.get("function").asText());
            });
        }
        if (o.has("parallel_tool_calls")) b.parallelToolCalls(o.get("parallel_tool_calls").asBoolean());
        return b.build();
    }

    private static List<ToolCall> calls(JsonNode cs) {
        List<ToolCall> out = new ArrayList<>();
        for (JsonNode c : cs) {
            out.add(new ToolCall(c.get("id").asText(), c.get("name").asText(), c.get("arguments").asText()));
        }
        return out;
    }

    private static List<Object> calls(List<ToolCall> cs) {
        List<Object> out = new ArrayList<>();
        for (ToolCall c : cs) {
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("id", c.id());
            call.put("name", c.name());
            call.put("arguments", c.arguments());
            out.add(call);
        }
        return out;
    }

    private static Path mediaFile(JsonNode name) {
        return Path.of(fixtures.get("media").asText(), name.asText());
    }

    /** Java messages hold their text, then their media: the order every case uses. */
    private static List<Message> messages(JsonNode ms) throws IOException {
        List<Message> out = new ArrayList<>();
        for (JsonNode m : ms) {
            Role role = Role.valueOf(m.get("role").asText().toUpperCase(Locale.ROOT));
            JsonNode content = m.get("content");
            String callId = m.has("tool_call_id") ? m.get("tool_call_id").asText() : null;
            if (!content.isArray()) {
                out.add(new Message(role, text(content), List.of(), calls(m.path("tool_calls")), callId));
                continue;
            }
            StringBuilder t = new StringBuilder();
            List<Media> media = new ArrayList<>();
            for (JsonNode part : content) {
                if (part.has("image")) {
                    media.add(Image.of(Files.readAllBytes(mediaFile(part.get("image")))));
                } else if (part.has("audio")) {
                    media.add(Audio.of(mediaFile(part.get("audio"))));
                } else {
                    t.append(text(part.get("text")));
                }
            }
            out.add(new Message(role, t.toString(), media));
        }
        return out;
    }

    private static Map<String, Object> completion(Completion c) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", c.usage().promptTokens());
        usage.put("cached_tokens", c.usage().cachedTokens());
        usage.put("completion_tokens", c.usage().completionTokens());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("text", c.text());
        out.put("finish_reason", c.finishReason().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put("usage", usage);
        out.put("tool_calls", calls(c.toolCalls()));
        return out;
    }

    /** A chat stream read as events: text pieces, and calls that must be the completion's. */
    private static Map<String, Object> evented(EventIterator stream) {
        List<String> pieces = new ArrayList<>();
        List<ToolCall> streamedCalls = new ArrayList<>();
        stream.forEachRemaining(e -> {
            if (e instanceof StreamEvent.Text t) {
                pieces.add(t.text());
            } else if (e instanceof StreamEvent.Call c) {
                streamedCalls.add(c.call());
            }
        });
        assertEquals(stream.completion().toolCalls(), streamedCalls, "the streamed calls are the completion's");
        Map<String, Object> out = completion(stream.completion());
        out.put("pieces", pieces);
        return out;
    }

    private static Map<String, Object> streamed(TokenIterator stream) {
        List<String> pieces = new ArrayList<>();
        stream.forEachRemaining(pieces::add);
        Map<String, Object> out = completion(stream.completion());
        out.put("pieces", pieces);
        return out;
    }

    private interface Call {
        Object run() throws IOException;
    }

    /** Runs {@code f}; a typed error becomes its code. */
    private static Object outcome(Call f) throws IOException {
        try {
            return f.run();
        } catch (InfWasiException e) {
            return Map.of("error", e.code().wit());
        }
    }

    private static Object step(Session session, JsonNode s) throws IOException {
        return outcome(() -> {
            GenerateOptions o = options(s.get("options"));
            if (s.has("complete")) return completion(session.complete(text(s.get("complete")), o));
            if (s.has("stream")) return streamed(session.iterator(text(s.get("stream")), o));
            if (s.has("chat")) return completion(session.chat(messages(s.get("chat")), o));
            if (s.has("chat_stream")) return evented(session.chatEvents(messages(s.get("chat_stream")), o));
            if (s.has("history")) {
                List<Object> history = new ArrayList<>();
                for (Message m : session.history()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("role", m.role().name().toLowerCase(Locale.ROOT));
                    entry.put("text", m.content());
                    entry.put("images", m.images().size());
                    entry.put("audio", m.audio().size());
                    entry.put("tool_calls", calls(m.toolCalls()));
                    entry.put("tool_call_id", m.toolCallId());
                    history.add(entry);
                }
                return Map.of("history", history);
            }
            if (s.has("reset")) {
                session.reset();
                return Map.of();
            }
            throw new IllegalArgumentException("unknown step " + s);
        });
    }

    private static Object run(Engine engine, JsonNode c) throws IOException {
        String model = c.has("model") ? c.get("model").asText() : "gemma";
        return outcome(() -> switch (c.get("op").asText()) {
            case "session" -> {
                JsonNode o = c.path("session");
                Integer context = o.has("context_size") ? o.get("context_size").asInt() : null;
                String system = o.has("system_prompt") ? text(o.get("system_prompt")) : null;
                try (Session session = engine.session(model, new SessionOptions(context, system))) {
                    List<Object> steps = new ArrayList<>();
                    for (JsonNode s : c.get("steps")) {
                        steps.add(step(session, s));
                    }
                    yield Map.of("steps", steps);
                }
            }
            case "embed" -> {
                List<String> texts = new ArrayList<>();
                c.get("texts").forEach(t -> texts.add(text(t)));
                yield Map.of("vectors", engine.embed(model, texts.toArray(String[]::new)));
            }
            case "tokenize" -> Map.of("tokens", engine.tokenize(model, text(c.get("text")), c.get("add_special").asBoolean()));
            case "tokenize_chat" -> Map.of("tokens", engine.tokenizeChat(model, messages(c.get("messages"))));
            case "detokenize" -> {
                int[] tokens = new int[c.get("tokens").size()];
                for (int i = 0; i < tokens.length; i++) tokens[i] = c.get("tokens").get(i).asInt();
                yield Map.of("text", engine.detokenize(model, tokens));
            }
            case "model_info" -> {
                ModelInfo i = engine.modelInfo(model);
                Map<String, Object> out = new HashMap<>();
                out.put("name", i.name());
                out.put("architecture", i.architecture());
                out.put("context_length", i.contextLength());
                out.put("vocab_size", i.vocabSize());
                out.put("embedding_size", i.embeddingSize());
                out.put("parameters", i.parameters());
                out.put("size_bytes", i.sizeBytes());
                out.put("vision", i.vision());
                out.put("audio", i.audio());
                out.put("chat_template", i.chatTemplate());
                yield out;
            }
            default -> throw new IllegalArgumentException("unknown op " + c.get("op"));
        });
    }

    /** {@code got} holds everything {@code expect} says: objects by key, arrays element by element. */
    private static boolean contains(JsonNode got, JsonNode expect) {
        if (expect.isObject()) {
            for (Map.Entry<String, JsonNode> f : expect.properties()) {
                if (!got.isObject() || !got.has(f.getKey()) || !contains(got.get(f.getKey()), f.getValue())) return false;
            }
            return true;
        }
        if (expect.isArray()) {
            if (!got.isArray() || got.size() != expect.size()) return false;
            for (int i = 0; i < expect.size(); i++) {
                if (!contains(got.get(i), expect.get(i))) return false;
            }
            return true;
        }
        return same(got, expect);
    }

    /** Equal, with non-integers (embeddings) equal to a millionth. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            if (a.isIntegralNumber() && b.isIntegralNumber()) return a.asLong() == b.asLong();
            return Math.abs(a.asDouble() - b.asDouble()) <= 1e-6 * Math.max(1, Math.abs(b.asDouble()));
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) return false;
            Iterator<String> names = a.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!b.has(n) || !same(a.get(n), b.get(n))) return false;
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sharedCase(String id, JsonNode c) throws IOException {
        JsonNode got = JSON.valueToTree(run(engine(c.has("engine") ? c.get("engine").asText() : "default"), c));
        JsonNode expect = c.has("expect") ? c.get("expect") : JSON.createObjectNode();
        Supplier<String> shown = () -> id + ": expected " + expect + ", got " + got;
        assertTrue(contains(got, expect), shown);
        for (JsonNode s : got.path("steps")) {
            if (s.has("pieces")) {
                StringBuilder joined = new StringBuilder();
                s.get("pieces").forEach(p -> joined.append(p.asText()));
                assertEquals(s.get("text").asText(), joined.toString(), id);
            }
        }
        assertTrue(same(got, reference.get(id)), () -> id + ": the Rust host gave " + reference.get(id) + ", this one " + got);
    }
}
