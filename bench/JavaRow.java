// A benchmark child for the Java row, measured at the same boundaries as the Rust
// rows (bench/src/): prints one JSON sample on stdout. Run with the jar alone:
//
//     java -cp bindings/java/target/inf-wasi-0.1.0.jar bench/JavaRow.java
//
// Settings come from the driver's environment: INF_WASI_MODEL, BENCH_PROMPT,
// BENCH_THREADS, BENCH_GEN_TOKENS, BENCH_CONTEXT, and the sampling setting:
// BENCH_TEMPERATURE, BENCH_SEED, BENCH_JSON_SCHEMA (absent: the default).
import dev.infwasi.Completion;
import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Session;
import dev.infwasi.TokenIterator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

public class JavaRow {
    /** The sampling setting from the driver (absent: the package's default). */
    static GenerateOptions.Builder sampling(GenerateOptions.Builder b) {
        String temperature = System.getenv("BENCH_TEMPERATURE");
        String seed = System.getenv("BENCH_SEED");
        String schema = System.getenv("BENCH_JSON_SCHEMA");
        if (temperature != null) b.temperature(Float.parseFloat(temperature));
        if (seed != null) b.seed(Long.parseLong(seed));
        if (schema != null) b.jsonSchema(schema);
        return b;
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    static double peakRssMib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    public static void main(String[] args) throws Exception {
        String prompt = System.getenv("BENCH_PROMPT");
        int threads = Integer.parseInt(env("BENCH_THREADS", "1"));
        int gen = Integer.parseInt(env("BENCH_GEN_TOKENS", "64"));
        int context = Integer.parseInt(env("BENCH_CONTEXT", "2048"));
        try (Engine engine = Engine.builder()
                .model("m", Path.of(System.getenv("INF_WASI_MODEL")))
                .threads(threads)
                .contextSize(context)
                .build()) {
            engine.modelInfo("m"); // load the weights before timing, as every row does
            engine.session("m").close(); // the first allocations are page faults, not session cost
            double[] sessionMs = new double[10];
            for (int i = 0; i < sessionMs.length; i++) {
                long t = System.nanoTime();
                Session s = engine.session("m");
                sessionMs[i] = (System.nanoTime() - t) / 1e6;
                s.close();
            }
            Arrays.sort(sessionMs);
            try (Session session = engine.session("m")) {
                GenerateOptions options = sampling(GenerateOptions.builder().maxTokens(gen)).build();
                // iterator() starts the stream, which evaluates the prompt: the prompt-processing boundary.
                long start = System.nanoTime();
                TokenIterator it = session.iterator(prompt, options);
                double promptDone = (System.nanoTime() - start) / 1e9;
                double first = Double.NaN;
                while (it.hasNext()) {
                    it.next();
                    if (Double.isNaN(first)) {
                        first = (System.nanoTime() - start) / 1e9;
                    }
                }
                double total = (System.nanoTime() - start) / 1e9;
                Completion c = it.completion();
                int n = c.usage().completionTokens();
                System.out.printf(
                        "{\"prompt_tokens\":%d,\"generated\":%d,\"pp\":%f,\"tg\":%f,\"ttft_ms\":%f,\"session_ms\":%f,\"peak_rss_mib\":%f}%n",
                        c.usage().promptTokens(), n, c.usage().promptTokens() / promptDone, (n - 1) / (total - first),
                        first * 1e3, (sessionMs[4] + sessionMs[5]) / 2, peakRssMib());
            }
        }
    }
}
