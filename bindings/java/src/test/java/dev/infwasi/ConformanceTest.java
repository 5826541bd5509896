package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared conformance cases: greedy output equals the Rust host's (which the Rust suite
 * checked against llama.cpp itself, token for token).
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Engine engine;

    private static final Path RUST = Support.REPO.resolve("target/conformance/rust-greedy.json");

    @BeforeAll
    static void open() throws IOException, InterruptedException {
        if (!Files.exists(RUST)) {
            // `mvn verify` on its own: the Rust suite writes the reference (checked there
            // against llama.cpp driven directly), so run that suite first.
            Process cargo = new ProcessBuilder("cargo", "test", "--release", "--locked", "-p", "inf-wasi", "--test", "conformance")
                    .directory(Support.REPO.toFile())
                    .inheritIO()
                    .start();
            assertEquals(0, cargo.waitFor(), "the Rust conformance suite failed");
        }
        engine = Support.engine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> cases = new ArrayList<>();
        JSON.readTree(Support.REPO.resolve("tests/conformance/cases.json").toFile()).get("greedy").forEach(cases::add);
        return cases;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void greedyOutputEqualsTheRustHost(JsonNode c) throws IOException {
        assertTrue(Files.exists(RUST), RUST + " is missing: the Rust suite writes it");
        String prompt = c.get("prompt").asText();
        JsonNode want = null;
        for (JsonNode r : JSON.readTree(RUST.toFile())) {
            if (r.get("prompt").asText().equals(prompt)) {
                want = r;
            }
        }
        assertTrue(want != null, "no Rust result for " + prompt);
        try (Session session = engine.session("gemma")) {
            Completion got = session.complete(prompt, Support.greedy(c.get("max_tokens").asInt()));
            assertEquals(want.get("text").asText(), got.text());
            assertEquals(want.get("completion_tokens").asInt(), got.usage().completionTokens());
            String reason = want.get("finish_reason").asText().replace('-', '_').toUpperCase(Locale.ROOT);
            assertEquals(FinishReason.valueOf(reason), got.finishReason());
        }
    }
}
