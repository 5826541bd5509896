package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GenerationTest {
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Support.engine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void aStreamConcatenatesToTheCompletion() {
        try (Session a = engine.session("gemma"); Session b = engine.session("gemma")) {
            Completion whole = a.complete("Once upon a time", Support.greedy(24));
            TokenIterator it = b.iterator("Once upon a time", Support.greedy(24));
            List<String> pieces = new ArrayList<>();
            it.forEachRemaining(pieces::add);
            assertTrue(pieces.size() > 1);
            assertEquals(whole.text(), String.join("", pieces));
            assertEquals(whole, it.completion());
            assertEquals(whole.text(), b.stream("Once upon a time", Support.greedy(24)).collect(Collectors.joining()));
        }
    }

    @Test
    void aSeedReproducesSampling() {
        try (Session session = engine.session("gemma")) {
            java.util.function.LongFunction<String> sample = seed -> session.complete(
                            "My favourite animal is",
                            GenerateOptions.builder().temperature(1.5f).topK(0).topP(1).minP(0).seed(seed).maxTokens(16).build())
                    .text();
            String seven = sample.apply(7);
            assertEquals(seven, sample.apply(7));
            assertTrue(!sample.apply(1).equals(seven) || !sample.apply(2).equals(seven) || !sample.apply(3).equals(seven));
        }
    }

    @Test
    void stopStringsAndMaxTokens() {
        try (Session session = engine.session("gemma")) {
            String prompt = "The three primary colors are";
            List<String> pieces = session.stream(prompt, Support.greedy(8)).collect(Collectors.toList());
            // The end of one piece, the next, and the start of the one after: spans two token boundaries.
            String stop = pieces.get(0).substring(pieces.get(0).length() - 1) + pieces.get(1) + pieces.get(2).charAt(0);
            String full = String.join("", pieces);
            Completion stopped = session.complete(
                    prompt, GenerateOptions.builder().temperature(0).maxTokens(8).stop(stop).build());
            assertEquals(full.substring(0, full.indexOf(stop)), stopped.text());
            assertEquals(FinishReason.STOP, stopped.finishReason());
            Completion limited = session.complete("Count: 1, 2, 3,", Support.greedy(5));
            assertEquals(5, limited.usage().completionTokens());
            assertEquals(FinishReason.LENGTH, limited.finishReason());
        }
    }

    @Test
    void jsonSchemaOutput() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":24},"
                + "\"age\":{\"type\":\"integer\"}},\"required\":[\"name\",\"age\"]}";
        try (Session session = engine.session("gemma")) {
            Completion c = session.complete(
                    "A person as JSON:", GenerateOptions.builder().temperature(0).maxTokens(64).jsonSchema(schema).build());
            var value = new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.text());
            assertTrue(value.get("name").isTextual());
            assertTrue(value.get("age").isIntegralNumber());
            assertEquals(2, value.size());
        }
    }

    @Test
    void chatReusesTheKvCacheAndKeepsHistory() {
        try (Session session = engine.session("gemma", new SessionOptions(0, "Answer briefly."))) {
            Completion first = session.chat(List.of(Message.user("Name a fruit.")), Support.greedy(12));
            Completion second = session.chat(List.of(Message.user("Name a vegetable.")), Support.greedy(12));
            int firstTotal = first.usage().promptTokens() + first.usage().completionTokens();
            // The template trims the reply, so a trailing newline may be evaluated again.
            int cached = second.usage().cachedTokens();
            assertTrue(cached >= firstTotal - 2 && cached <= firstTotal, "cached " + cached + " of " + firstTotal);
            int messageTokens = engine.tokenize("gemma", "Name a vegetable.", false).length;
            int evaluated = second.usage().promptTokens() - cached;
            assertTrue(evaluated >= messageTokens + 9 && evaluated <= messageTokens + 10 + (firstTotal - cached));
            List<Role> roles = session.history().stream().map(Message::role).collect(Collectors.toList());
            assertEquals(List.of(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT), roles);
            assertEquals("Name a vegetable.", session.history().get(3).content());
            session.reset();
            assertEquals(List.of(Message.system("Answer briefly.")), session.history());
        }
    }

    @Test
    void chatStreams() {
        try (Session session = engine.session("gemma")) {
            TokenIterator it = session.chatIterator(List.of(Message.user("Say hello.")), Support.greedy(8));
            StringBuilder text = new StringBuilder();
            it.forEachRemaining(text::append);
            assertNotNull(it.completion());
            assertEquals(it.completion().text(), text.toString());
            assertEquals(text.toString(), session.history().get(1).content());
        }
    }

    @Test
    void embeddingsTokensAndModelInfo() {
        ModelInfo info = engine.modelInfo("gemma");
        assertEquals("gemma3", info.architecture());
        assertEquals(640, info.embeddingSize());
        assertFalse(info.vision());
        float[][] vectors = engine.embed("gemma", "The cat sat.", "Quantum chromodynamics");
        assertEquals(640, vectors[0].length);
        assertFalse(java.util.Arrays.equals(vectors[0], vectors[1]));
        assertArrayEquals(vectors[0], engine.embed("gemma", "The cat sat.")[0]);
        double norm = 0;
        for (float x : vectors[0]) {
            norm += x * x;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-3);
        int[] tokens = engine.tokenize("gemma", "Hello world", false);
        assertEquals("Hello world", engine.detokenize("gemma", tokens));
    }
}
