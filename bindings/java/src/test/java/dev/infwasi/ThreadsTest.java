package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ThreadsTest {
    @Test
    void twoSessionsOnTwoThreadsGenerateAtOnceAsTheyWouldAlone() throws Exception {
        try (Engine engine = Support.engine()) {
            generateOnTwoThreads(engine);
        }
    }

    /** Two sessions sharing one context: their tokens decoded together, each output as alone. */
    @Test
    void twoSessionsSharingAContextGenerateAsTheyWouldAlone() throws Exception {
        Engine.Builder builder = Engine.builder().model("gemma", Support.MODEL).threads(1).contextSize(512);
        try (Engine engine = builder.parallel(2).batching(Batching.EXACT).build()) {
            generateOnTwoThreads(engine);
        }
    }

    private static void generateOnTwoThreads(Engine engine) throws Exception {
        List<String> prompts = List.of("Water boils at", "The capital of France is");
        {
            List<String> serial = new ArrayList<>();
            for (String p : prompts) {
                try (Session s = engine.session("gemma")) {
                    serial.add(s.complete(p, Support.greedy(16)).text());
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<String>> runs = new ArrayList<>();
                for (String p : prompts) {
                    runs.add(pool.submit(() -> {
                        try (Session s = engine.session("gemma")) {
                            return s.complete(p, Support.greedy(16)).text();
                        }
                    }));
                }
                List<String> together = new ArrayList<>();
                for (Future<String> f : runs) {
                    together.add(f.get());
                }
                assertEquals(serial, together);
            } finally {
                pool.shutdown();
            }
        }
    }

    /** Resident memory of this process, from /proc (kB). */
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    /** Anonymous resident memory (kB): what a leak grows; the mapped model's pages are not counted. */
    static long anonymousRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no RssAnon");
    }

    @Test
    void closingEnginesFreesTheirMemory() throws IOException {
        long[] rss = new long[8];
        for (int i = 0; i < rss.length; i++) {
            try (Engine engine = Support.engine(); Session s = engine.session("gemma")) {
                s.complete("Water boils at", Support.greedy(2));
            }
            rss[i] = rssKb();
        }
        // Each cycle loads the 250 MB model and a context: a leak would grow by that much.
        long growth = rss[rss.length - 1] - rss[1];
        assertTrue(growth < 64 * 1024, "RSS grew by " + growth + " kB over " + (rss.length - 2) + " open/close cycles");
    }

    private static final List<String> PROMPTS = List.of(
            "The capital of France is",
            "Water boils at",
            "The largest planet in the solar system is",
            "A haiku about autumn:",
            "The opposite of hot is",
            "1, 2, 3, 4,",
            "Rust is a programming language that",
            "The color of the sky is");

    private static String answer(Engine engine, String prompt) {
        try (Session s = engine.session("gemma")) {
            String completion = s.complete(prompt, Support.greedy(8)).text();
            String chat = s.chat(List.of(Message.user(prompt)), Support.greedy(8)).text();
            return completion + "|" + chat;
        }
    }

    @Test
    void sessionsOnFourThreadsAnswerAsSerialRunsDo() throws Exception {
        try (Engine engine = Engine.builder().model("gemma", Support.MODEL).threads(1).contextSize(256).build()) {
            List<String> serial = new ArrayList<>();
            for (String p : PROMPTS) {
                serial.add(answer(engine, p));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 2; round++) {
                    List<Future<String>> runs = new ArrayList<>();
                    for (String p : PROMPTS) {
                        runs.add(pool.submit(() -> answer(engine, p)));
                    }
                    for (int i = 0; i < PROMPTS.size(); i++) {
                        assertEquals(serial.get(i), runs.get(i).get(), "round " + round + ", prompt " + i);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void memoryIsSteadyOverThousandsOfSessions() throws IOException {
        try (Engine engine = Engine.builder().model("gemma", Support.MODEL).threads(1).contextSize(128).build()) {
            for (int i = 0; i < 200; i++) {
                engine.session("gemma").close();
            }
            long before = anonymousRssKb();
            long started = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                engine.session("gemma").close();
            }
            long growth = anonymousRssKb() - before;
            System.out.printf(
                    "2000 session open/close cycles in %d ms: RSS %+d kB%n", (System.nanoTime() - started) / 1_000_000, growth);
            assertTrue(growth < 16 * 1024, "RSS grew by " + growth + " kB over 2000 sessions");
        }
    }
}
