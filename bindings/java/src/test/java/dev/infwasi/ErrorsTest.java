package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ErrorsTest {
    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Support.engine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static void fails(ErrorCode code, Executable call) {
        InfWasiException e = assertThrows(InfWasiException.class, call);
        assertEquals(code, e.code(), e.getMessage());
    }

    static void stillWorks(Engine e) {
        try (Session session = e.session("gemma")) {
            assertTrue(session.complete("Water boils at", Support.greedy(4)).text().contains("100"));
        }
    }

    @Test
    void everyCaseOfTheWitErrorHasItsCode() throws IOException {
        String wit = Files.readString(Support.REPO.resolve("wit/inf-wasi.wit"));
        int start = wit.indexOf("variant error {");
        List<String> cases = new ArrayList<>();
        for (String line : wit.substring(start, wit.indexOf('}', start)).split("\n")) {
            if (line.trim().endsWith("(string),")) {
                cases.add(line.trim().split("\\(")[0]);
            }
        }
        assertEquals(7, cases.size());
        assertEquals(cases, java.util.Arrays.stream(ErrorCode.values()).map(ErrorCode::wit).toList());
        for (String c : cases) {
            assertEquals(c, new InfWasiException(c, "m").code().wit());
        }
        assertEquals(ErrorCode.BACKEND, ErrorCode.fromWit("no-such-case"));
    }

    /** What only Java can pass; the shared bad requests are in tests/conformance. */
    @Test
    void badJavaValuesAreInvalidInputAndTheSessionGoesOn() {
        try (Session session = engine.session("gemma")) {
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().maxTokens(-3));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().seed(1L << 40));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().temperature(Float.NaN));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().stop(null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete("", null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete("\ud800 lone surrogate", Support.greedy(2)));
            fails(ErrorCode.INVALID_INPUT, () -> session.stream(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> session.chat(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> new Message(null, "hi"));
            fails(ErrorCode.INVALID_INPUT, () -> engine.session(null));
            fails(ErrorCode.INVALID_INPUT, () -> new SessionOptions(-1, null));
            fails(ErrorCode.INVALID_INPUT, () -> engine.tokenize("gemma", null, true));
            fails(ErrorCode.INVALID_INPUT, () -> engine.detokenize("gemma", new int[] {-1}));
            fails(ErrorCode.INVALID_INPUT, () -> engine.embed("gemma", (String) null));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().build());
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().threads(-2));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().parallel(0));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().model("gemma", Support.MODEL).parallel(1000).build());
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().batching(null));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().model("", Support.MODEL));
            assertTrue(session.complete("Water boils at", Support.greedy(4)).text().contains("100"));
        }
    }

    @Test
    void closedSessionsAndEnginesThrowInsteadOfCrashing() {
        Engine own = Support.engine();
        Session session = own.session("gemma");
        session.close();
        session.close();
        fails(ErrorCode.INVALID_INPUT, () -> session.complete("x", null));
        fails(ErrorCode.INVALID_INPUT, () -> session.history());
        Session open = own.session("gemma");
        own.close();
        assertTrue(open.isClosed());
        fails(ErrorCode.INVALID_INPUT, () -> open.complete("x", null));
        fails(ErrorCode.INVALID_INPUT, () -> own.session("gemma"));
        fails(ErrorCode.INVALID_INPUT, () -> own.embed("gemma", "x"));
        own.close();
        stillWorks(engine);
    }

    @Test
    void aRustPanicBecomesAnExceptionAndNothingElseBreaks() {
        fails(ErrorCode.BACKEND, Native::panicForTests);
        stillWorks(engine);
    }

    @Test
    void sessionsDroppedWithoutCloseAreFreed() throws Exception {
        long before = ThreadsTest.rssKb();
        for (int i = 0; i < 12; i++) {
            engine.session("gemma").complete("Water boils at", Support.greedy(1));
            System.gc();
        }
        Thread.sleep(200);
        System.gc();
        Thread.sleep(200);
        // A 2048-token context is about 40 MB: twelve leaked sessions would hold about 480 MB.
        long growth = ThreadsTest.rssKb() - before;
        assertTrue(growth < 200 * 1024, "RSS grew by " + growth + " kB");
    }
}
