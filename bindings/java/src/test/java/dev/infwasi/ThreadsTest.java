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
        List<String> prompts = List.of("Water boils at", "The capital of France is");
        try (Engine engine = Support.engine()) {
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
}
