package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plugins through the JNI library: the example plugins (examples/plugins/rust and
 * examples/plugins/python), a plugin that probes its sandbox, and misbehaving ones.
 */
class PluginTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Engine engine;
    static Path plugins;

    @BeforeAll
    static void open() {
        plugins = Support.plugins();
        engine = Engine.builder()
                .model("gemma", Support.MODEL)
                .threads(1)
                .contextSize(512)
                .guestTimeLimit(Duration.ofMillis(500))
                .build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** What the example plugins do, through the binding. */
    private static JsonNode directly(String text) throws Exception {
        String completion;
        try (Session s = engine.session("gemma")) {
            completion = s.complete(text, Support.greedy(12)).text();
        }
        String schema = "{\"type\":\"object\",\"properties\":{\"topic\":{\"enum\":[\"science\",\"cooking\",\"sports\",\"other\"]}},"
                + "\"required\":[\"topic\"]}";
        String question = "Which topic is this about: science, cooking, sports or other?\n\n" + text + completion;
        GenerateOptions options = GenerateOptions.builder().temperature(0).maxTokens(24).jsonSchema(schema).build();
        try (Session s = engine.session("gemma")) {
            String topic = JSON.readTree(s.chat(List.of(Message.user(question)), options).text()).get("topic").asText();
            return JSON.createObjectNode().put("completion", completion).put("topic", topic);
        }
    }

    @Test
    void eachExamplePluginAnswersAsTheSameCallsMadeDirectly() throws Exception {
        JsonNode expected = directly("Water boils at");
        for (String name : List.of("rust-pipeline.wasm", "python-pipeline.wasm")) {
            try (Plugin plugin = engine.plugin(plugins.resolve(name))) {
                PluginRun run = plugin.run("{\"model\": \"gemma\", \"text\": \"Water boils at\"}");
                assertNull(run.error(), name);
                assertEquals(expected, JSON.readTree(run.output()), name);
                PluginRun refused = plugin.run("not JSON");
                assertNull(refused.output());
                assertTrue(refused.error().contains("not JSON"), refused.error());
            }
        }
    }

    @Test
    void aPluginReachesNoFilesNetworkOrEnvironment() throws Exception {
        try (Plugin sandbox = engine.plugin(plugins.resolve("python-sandbox.wasm"))) {
            PluginRun run = sandbox.run("hello");
            JsonNode report = JSON.readTree(run.output());
            assertEquals("FileNotFoundError", report.get("read_file").asText());
            assertEquals("FileNotFoundError", report.get("list_root").asText());
            assertEquals(0, report.get("environment").size());
            assertEquals(0, report.get("arguments").size());
            assertTrue(report.get("connect").asText().endsWith("Error"), report.toString());
            assertArrayEquals("to stdout: hello\n".getBytes(StandardCharsets.UTF_8), run.stdout());
            assertEquals("to stderr: hello\n", run.stderrText());
        }
    }

    @Test
    void whatIsNotAPluginOrAsksForMoreIsRefused() {
        InfWasiException refused =
                assertThrows(InfWasiException.class, () -> engine.plugin(plugins.resolve("wants-http.wasm")));
        assertEquals(ErrorCode.INVALID_INPUT, refused.code());
        assertTrue(refused.getMessage().contains("wasi:http/outgoing-handler"), refused.getMessage());
        InfWasiException junk = assertThrows(InfWasiException.class, () -> engine.plugin("junk".getBytes(StandardCharsets.UTF_8)));
        assertTrue(junk.getMessage().contains("not an inf-wasi plugin"), junk.getMessage());
        assertThrows(InfWasiException.class, () -> engine.plugin(Path.of("/nonexistent/plugin.wasm")));
    }

    @Test
    void aLoopingPluginIsStoppedAndAPanickingOneIsAnError() {
        long started = System.nanoTime();
        try (Plugin looping = engine.plugin(plugins.resolve("loops.wasm"))) {
            assertEquals(ErrorCode.CANCELLED, assertThrows(InfWasiException.class, () -> looping.run("spin")).code());
        }
        assertTrue(System.nanoTime() - started < 5_000_000_000L);
        try (Plugin panicking = engine.plugin(plugins.resolve("panics.wasm"))) {
            assertEquals(ErrorCode.BACKEND, assertThrows(InfWasiException.class, () -> panicking.run("boom")).code());
        }
        try (Session s = engine.session("gemma")) {
            assertNotNull(s.complete("Water boils at", Support.greedy(2)).text());
        }
        Plugin closed = engine.plugin(plugins.resolve("panics.wasm"));
        closed.close();
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> closed.run("x")).code());
    }
}
