package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void anUnknownModel() {
        fails(ErrorCode.MODEL_NOT_FOUND, () -> engine.session("no-such-model"));
        fails(ErrorCode.MODEL_NOT_FOUND, () -> engine.embed("no-such-model", "x"));
        fails(ErrorCode.MODEL_NOT_FOUND, () -> engine.modelInfo("no-such-model"));
        stillWorks(engine);
    }

    @Test
    void brokenModelFiles(@TempDir Path dir) throws IOException {
        byte[] head = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(Support.MODEL)) {
            in.readNBytes(head, 0, head.length);
        }
        Files.write(dir.resolve("trunc.gguf"), head);
        byte[] noise = new byte[4096];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) (i * 7919 % 251);
        }
        Files.write(dir.resolve("random.gguf"), noise);
        try (Engine broken = Engine.builder()
                .model("trunc", dir.resolve("trunc.gguf"))
                .model("random", dir.resolve("random.gguf"))
                .model("missing", Path.of("/nonexistent.gguf"))
                .model("gemma", Support.MODEL)
                .threads(1)
                .build()) {
            for (String name : List.of("trunc", "random", "missing")) {
                fails(ErrorCode.INVALID_MODEL, () -> broken.session(name));
                fails(ErrorCode.INVALID_MODEL, () -> broken.tokenize(name, "x", true));
            }
            stillWorks(broken);
        }
    }

    @Test
    void badRequestsAreInvalidInputAndTheSessionGoesOn() {
        try (Session session = engine.session("gemma")) {
            List<Supplier<GenerateOptions>> bad = List.of(
                    () -> GenerateOptions.builder().temperature(-1).build(),
                    () -> GenerateOptions.builder().topP(1.5f).build(),
                    () -> GenerateOptions.builder().maxTokens(0).build(),
                    () -> GenerateOptions.builder().jsonSchema("{not json").build(),
                    () -> GenerateOptions.builder().jsonSchema("{\"type\":\"banana\"}").build(),
                    () -> GenerateOptions.builder().grammar("root ::= (").build(),
                    () -> GenerateOptions.builder().stop("").build());
            for (Supplier<GenerateOptions> options : bad) {
                fails(ErrorCode.INVALID_INPUT, () -> session.complete("x", options.get()));
            }
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().maxTokens(-3));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().seed(1L << 40));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().temperature(Float.NaN));
            fails(ErrorCode.INVALID_INPUT, () -> GenerateOptions.builder().stop(null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete("", null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> session.complete("\ud800 lone surrogate", Support.greedy(2)));
            fails(ErrorCode.INVALID_INPUT, () -> session.stream(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> session.chat(null, null));
            fails(ErrorCode.INVALID_INPUT, () -> session.chat(List.of(), null));
            fails(ErrorCode.INVALID_INPUT, () -> new Message(null, "hi"));
            fails(ErrorCode.INVALID_INPUT, () -> engine.session(null));
            fails(ErrorCode.INVALID_INPUT, () -> new SessionOptions(-1, null));
            fails(ErrorCode.INVALID_INPUT, () -> engine.tokenize("gemma", null, true));
            fails(ErrorCode.INVALID_INPUT, () -> engine.detokenize("gemma", new int[] {-1}));
            fails(ErrorCode.INVALID_INPUT, () -> engine.embed("gemma", (String) null));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().build());
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().threads(-2));
            fails(ErrorCode.INVALID_INPUT, () -> Engine.builder().model("", Support.MODEL));
            assertTrue(session.complete("Water boils at", Support.greedy(4)).text().contains("100"));
        }
    }

    /** Gemma's byte tokens: {@code <0x00>} is token 238, so byte b is token 238 + b. */
    private static final int BYTE_TOKEN = 238;

    @Test
    void hugeStringsAndInvalidUtf8FromTheModel() {
        try (Session session = engine.session("gemma")) {
            String huge = "lorem ipsum ".repeat((4 << 20) >> 4);
            fails(ErrorCode.CONTEXT_OVERFLOW, () -> session.complete(huge, Support.greedy(2)));
            String longStop = "s".repeat(1 << 20);
            fails(ErrorCode.INVALID_INPUT, () -> session.complete("x", GenerateOptions.builder().stop(longStop).build()));
            // A lone lead byte is invalid UTF-8: it becomes U+FFFD; a whole pair is the character.
            assertEquals("\uFFFD", engine.detokenize("gemma", new int[] {BYTE_TOKEN + 0xC3}));
            assertEquals("é", engine.detokenize("gemma", new int[] {BYTE_TOKEN + 0xC3, BYTE_TOKEN + 0xA9}));
            assertTrue(session.complete("Water boils at", Support.greedy(4)).text().contains("100"));
        }
    }

    @Test
    void aPromptLongerThanTheContext() {
        try (Session session = engine.session("gemma", new SessionOptions(64, null))) {
            fails(ErrorCode.CONTEXT_OVERFLOW,
                    () -> session.complete("The quick brown fox jumps over the lazy dog. ".repeat(20), null));
            Completion c = session.complete("Once upon a time", Support.greedy(500));
            assertEquals(FinishReason.CONTEXT_FULL, c.finishReason());
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
