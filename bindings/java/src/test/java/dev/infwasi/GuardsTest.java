package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sandbox and the limits, through the JNI library: a component asking for more than wasi:nn
 * is refused, a slow chat template is stopped, sizes are capped, and a cancel from another
 * thread stops a generation within 100 ms. After each, the engine answers the next request.
 */
class GuardsTest {
    private static void stillAnswers(Engine engine) {
        try (Session s = engine.session("gemma")) {
            assertFalse(s.complete("The capital of France is", Support.greedy(4)).text().isEmpty());
        }
    }

    @Test
    void aComponentThatImportsAFilesystemIsRefused() {
        InfWasiException e = assertThrows(InfWasiException.class, Native::instantiateCapabilityProbe);
        assertEquals(ErrorCode.BACKEND, e.code());
        assertTrue(e.getMessage().contains("wasi:filesystem/preopens@0.2.0"), e.getMessage());
        assertTrue(e.getMessage().contains("grants a component wasi:nn and nothing else"), e.getMessage());
    }

    @Test
    void aSlowChatTemplateEndsWithADeadlineError() {
        try (Engine engine = Engine.builder()
                .model("gemma", Support.MODEL)
                .model("slow", Support.templateModel("slow", Support.SLOW_TEMPLATE))
                .threads(1)
                .contextSize(256)
                .guestTimeLimit(Duration.ofMillis(50))
                .build()) {
            try (Session s = engine.session("slow")) {
                long started = System.nanoTime();
                InfWasiException e = assertThrows(
                        InfWasiException.class, () -> s.chat(List.of(Message.user("hi")), Support.greedy(4)));
                assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
                assertTrue(System.nanoTime() - started < 5_000_000_000L);
            }
            stillAnswers(engine);
        }
    }

    @Test
    void contextOutputAndImageSizesAreCapped() {
        try (Engine engine = Engine.builder()
                .model("gemma", Support.MODEL)
                .threads(1)
                .contextSize(256)
                .maxContextSize(512)
                .maxOutputTokens(5)
                .maxImageBytes(1000)
                .build()) {
            InfWasiException context = assertThrows(
                    InfWasiException.class, () -> engine.session("gemma", new SessionOptions(1024, null)));
            assertEquals(ErrorCode.INVALID_INPUT, context.code());
            try (Session s = engine.session("gemma")) {
                InfWasiException output = assertThrows(
                        InfWasiException.class, () -> s.complete("Once upon a time", Support.greedy(6)));
                assertEquals(ErrorCode.INVALID_INPUT, output.code());
                Completion c = s.complete("Once upon a time", GenerateOptions.builder().temperature(0).build());
                assertEquals(5, c.usage().completionTokens());
                assertEquals(FinishReason.LENGTH, c.finishReason());
            }
            stillAnswers(engine);
        }
    }

    @Test
    void badLimitsAreInvalidInput() {
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> Engine.builder().maxOutputTokens(0)).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> Engine.builder().guestTimeLimit(Duration.ZERO)).code());
        InfWasiException tiny = assertThrows(InfWasiException.class, () -> Engine.builder()
                .model("gemma", Support.MODEL)
                .guestMemoryLimit(1000)
                .build());
        assertEquals(ErrorCode.INVALID_INPUT, tiny.code());
    }

    @Test
    void aCancelFromAnotherThreadStopsAStreamWithin100Ms() throws Exception {
        try (Engine engine = Support.engine(); Session s = engine.session("gemma")) {
            var pieces = new java.util.concurrent.LinkedBlockingQueue<String>();
            var ended = new java.util.concurrent.CompletableFuture<Long>();
            Thread reader = new Thread(() -> {
                try {
                    s.stream("Write a long story about a dragon.", Support.greedy(2000)).forEach(pieces::add);
                    ended.completeExceptionally(new AssertionError("the stream ran to its end"));
                } catch (InfWasiException e) {
                    if (e.code() == ErrorCode.CANCELLED) {
                        ended.complete(System.nanoTime());
                    } else {
                        ended.completeExceptionally(e);
                    }
                }
            });
            reader.start();
            for (int i = 0; i < 5; i++) {
                pieces.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            long cancelledAt = System.nanoTime();
            s.cancel();
            long latencyMs = (ended.get(30, java.util.concurrent.TimeUnit.SECONDS) - cancelledAt) / 1_000_000;
            reader.join();
            System.out.println("the stream stopped " + latencyMs + " ms after the cancel");
            assertTrue(latencyMs < 100, "took " + latencyMs + " ms");
            assertFalse(s.complete("The capital of France is", Support.greedy(4)).text().isEmpty());
        }
    }

    @Test
    void aCancelledChatTurnLeavesNoTrace() {
        List<Message> first = List.of(Message.user("Name a colour."));
        List<Message> after = List.of(Message.user("Name a fruit."));
        try (Engine engine = Support.engine();
                Session s = engine.session("gemma");
                Session fresh = engine.session("gemma")) {
            s.chat(first, Support.greedy(8));
            List<Message> before = s.history();
            TokenIterator tokens =
                    s.chatIterator(List.of(Message.user("Write a long story about a dragon.")), Support.greedy(2000));
            for (int i = 0; i < 5; i++) {
                tokens.next();
            }
            s.cancel();
            InfWasiException e = assertThrows(InfWasiException.class, () -> {
                while (tokens.hasNext()) {
                    tokens.next();
                }
            });
            assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
            // Neither the question nor part of an answer stays behind.
            assertEquals(before, s.history());
            fresh.chat(first, Support.greedy(8));
            assertEquals(fresh.chat(after, Support.greedy(8)).text(), s.chat(after, Support.greedy(8)).text());
        }
    }
}
