package dev.infwasi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository, the default model, and an engine as every suite uses it. */
final class Support {
    static final Path REPO = Path.of(System.getProperty("infwasi.repo", "../..")).toAbsolutePath().normalize();
    static final Path MODEL = model("INF_WASI_MODEL", "gemma-3-270m-q4_k_m");
    /** The instruct test model (SmolLM2-135M-Instruct, ChatML). */
    static final Path CHAT_MODEL = model("INF_WASI_CHAT_MODEL", "smollm2-135m-instruct-q4_1");

    private Support() {}

    /** The model in {@code variable}, else fetched by its name in models.json. */
    private static Path model(String variable, String name) {
        String env = System.getenv(variable);
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        try {
            Process p = new ProcessBuilder("python3", REPO.resolve("ci/fetch_model.py").toString(), name).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ci/fetch_model.py failed");
            }
            return Path.of(out);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One inference thread: on two cores, ggml collapses when anything else runs. */
    static Engine engine() {
        return Engine.builder().model("gemma", MODEL).threads(1).contextSize(2048).build();
    }

    /** A copy of the default model with {@code template} as its chat template (tests/fixtures/template-model.py). */
    static Path templateModel(String name, String template) {
        try {
            Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "inf-wasi-java-templates"));
            Path out = dir.resolve(name + ".gguf");
            if (!Files.exists(out)) {
                Process p = new ProcessBuilder(
                                "python3", REPO.resolve("tests/fixtures/template-model.py").toString(), MODEL.toString(), out.toString(), template)
                        .inheritIO()
                        .start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("tests/fixtures/template-model.py failed");
                }
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one of the repository's fixture scripts (tests/fixtures/*.py) with {@code args}. */
    static void runScript(String script, String... args) {
        try {
            java.util.List<String> command = new java.util.ArrayList<>(
                    java.util.List.of("python3", REPO.resolve("tests/fixtures").resolve(script).toString()));
            command.addAll(java.util.List.of(args));
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("tests/fixtures/" + script + " failed");
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The plugins' folder: the Rust example and the probes (bindings/rust/build.rs, by the cargo
     * build of the native library), and the Python ones, which ci/plugins.sh builds with
     * componentize-py (and prints the folder).
     */
    static Path plugins() {
        try {
            Process p = new ProcessBuilder("bash", REPO.resolve("ci/plugins.sh").toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ci/plugins.sh failed");
            }
            return Path.of(out);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tiny random-weight projector for the default model (tests/fixtures/tiny-mmproj.py): 4 embeddings per image. */
    static Path tinyProjector(Path dir) {
        Path out = dir.resolve("tiny-mmproj.gguf");
        runScript("tiny-mmproj.py", out.toString());
        return out;
    }

    /**
     * A tiny random-weight Ultravox projector for the default model (tests/fixtures/tiny-audio-mmproj.py): 50
     * embeddings per 30-second chunk.
     */
    static Path tinyAudioProjector(Path dir) {
        Path out = dir.resolve("tiny-audio-mmproj.gguf");
        runScript("tiny-audio-mmproj.py", out.toString());
        return out;
    }

    /** The shared test audio (tests/fixtures/test-audio.py), written into {@code dir}. */
    static Path testAudio(Path dir) {
        runScript("test-audio.py", dir.toString());
        return dir;
    }

    /** The shared test images (tests/fixtures/test-images.py), written into {@code dir}. */
    static Path testImages(Path dir) {
        runScript("test-images.py", dir.toString());
        return dir;
    }

    /**
     * A chat template that ends, but only after 2 million iterations of an empty loop: within its
     * instruction budget, far past a short time limit.
     */
    static final String SLOW_TEMPLATE =
            "{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ messages[0].content }}";

    static GenerateOptions greedy(int maxTokens) {
        return GenerateOptions.builder().temperature(0).maxTokens(maxTokens).build();
    }
}
