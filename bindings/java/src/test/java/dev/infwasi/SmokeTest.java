package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void completes() {
        try (Engine engine = Support.engine(); Session session = engine.session("gemma")) {
            Completion c = session.complete("The capital of France is", Support.greedy(8));
            assertEquals(8, c.usage().completionTokens());
        }
    }
}
