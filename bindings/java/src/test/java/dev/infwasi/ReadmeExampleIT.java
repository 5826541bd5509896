package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples are the files of examples/, verbatim, and each runs with nothing but
 * the packed jar on the class path (and, for the typed one, its optional libraries): an
 * integration test, run after {@code package}.
 */
class ReadmeExampleIT {
    /**
     * Checks that the README holds {@code examples/NAME} verbatim, runs it as a source-file program
     * with {@code classPath} and {@code env}, and returns what it printed.
     */
    private static String run(String name, String classPath, Map<String, String> env) throws Exception {
        Path example = Support.REPO.resolve("bindings/java/examples").resolve(name);
        String readme = Files.readString(Support.REPO.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + Files.readString(example) + "```"), name + " is not in the README verbatim");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder run = new ProcessBuilder(java, "-cp", classPath, example.toString()).redirectErrorStream(true);
        run.environment().putAll(env);
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static String jar() {
        Path jar = Path.of(System.getProperty("infwasi.jar"));
        assertTrue(Files.exists(jar), jar + " is missing");
        return jar.toString();
    }

    private static final String MODEL = Support.MODEL.toString();

    @Test
    void theQuickstartRunsWithOnlyTheJar() throws Exception {
        String out = run("Quickstart.java", jar(), Map.of("INF_WASI_MODEL", MODEL));
        assertTrue(out.contains("640 dimensions"), out);
        assertTrue(out.contains("model-not-found"), out);
    }

    @Test
    void theImageExampleRunsWithOnlyTheJar(@TempDir Path dir) throws Exception {
        Path projector = Support.tinyProjector(dir);
        Path images = Support.testImages(Files.createDirectories(dir.resolve("images")));
        String out = run("Vision.java", jar(), Map.of("INF_WASI_MODEL", MODEL, "INF_WASI_PROJECTOR", projector.toString(),
                "INF_WASI_IMAGE", images.resolve("gradient.png").toString()));
        assertTrue(out.contains("vision: true"), out);
    }

    @Test
    void theAudioExampleRunsWithOnlyTheJar(@TempDir Path dir) throws Exception {
        Path projector = Support.tinyAudioProjector(dir);
        Path audio = Support.testAudio(Files.createDirectories(dir.resolve("audio")));
        String out = run("Listen.java", jar(), Map.of("INF_WASI_MODEL", MODEL, "INF_WASI_PROJECTOR", projector.toString(),
                "INF_WASI_AUDIO", audio.resolve("tones-1s.wav").toString()));
        assertTrue(out.contains("audio: true"), out);
    }

    @Test
    void theTypedExampleRunsWithTheJarAndItsTypedOutputLibraries() throws Exception {
        // The jar first, then the test class path, which holds the optional libraries.
        String classPath = jar() + File.pathSeparator + System.getProperty("java.class.path");
        String out = run("Typed.java", classPath, Map.of("INF_WASI_MODEL", MODEL));
        assertTrue(out.matches("(?s).*, .*: \\d+ people\\s*"), out);
    }

    @Test
    void theToolsExampleRunsWithOnlyTheJar() throws Exception {
        String out = run("Tools.java", jar(), Map.of("INF_WASI_CHAT_MODEL", Support.CHAT_MODEL.toString()));
        assertTrue(out.startsWith("get_weather({\"city\":"), out);
    }
}
