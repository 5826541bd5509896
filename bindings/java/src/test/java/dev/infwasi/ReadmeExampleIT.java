package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's Java example is examples/Quickstart.java, verbatim, and it runs with nothing but
 * the packed jar on the class path (an integration test: it runs after {@code package}).
 */
class ReadmeExampleIT {
    private static final Path EXAMPLE = Support.REPO.resolve("bindings/java/examples/Quickstart.java");

    @Test
    void theReadmeShowsTheExampleVerbatim() throws IOException {
        String readme = Files.readString(Support.REPO.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + Files.readString(EXAMPLE) + "```"));
    }

    @Test
    void theExampleRunsWithOnlyTheJar() throws Exception {
        Path jar = Path.of(System.getProperty("infwasi.jar"));
        assertTrue(Files.exists(jar), jar + " is missing");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder run = new ProcessBuilder(java, "-cp", jar.toString(), EXAMPLE.toString()).redirectErrorStream(true);
        run.environment().put("INF_WASI_MODEL", Support.MODEL.toString());
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("640 dimensions"), out);
        assertTrue(out.contains("model-not-found"), out);
    }

    private static final Path VISION = Support.REPO.resolve("bindings/java/examples/Vision.java");

    @Test
    void theImageExampleIsVerbatimAndRunsWithOnlyTheJar(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String readme = Files.readString(Support.REPO.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + Files.readString(VISION) + "```"));
        Path projector = Support.tinyProjector(dir);
        Path images = Support.testImages(Files.createDirectories(dir.resolve("images")));
        Path jar = Path.of(System.getProperty("infwasi.jar"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder run = new ProcessBuilder(java, "-cp", jar.toString(), VISION.toString()).redirectErrorStream(true);
        run.environment().put("INF_WASI_MODEL", Support.MODEL.toString());
        run.environment().put("INF_WASI_PROJECTOR", projector.toString());
        run.environment().put("INF_WASI_IMAGE", images.resolve("gradient.png").toString());
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("vision: true"), out);
    }

    private static final Path TYPED = Support.REPO.resolve("bindings/java/examples/Typed.java");

    @Test
    void theTypedExampleIsVerbatimAndRunsWithTheJarAndItsTypedOutputLibraries() throws Exception {
        String readme = Files.readString(Support.REPO.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + Files.readString(TYPED) + "```"));
        Path jar = Path.of(System.getProperty("infwasi.jar"));
        // The jar first, then the test class path, which holds the optional libraries.
        String classPath = jar + java.io.File.pathSeparator + System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder run = new ProcessBuilder(java, "-cp", classPath, TYPED.toString()).redirectErrorStream(true);
        run.environment().put("INF_WASI_MODEL", Support.MODEL.toString());
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.matches("(?s).*, .*: \\d+ people\\s*"), out);
    }

    private static final Path TOOLS = Support.REPO.resolve("bindings/java/examples/Tools.java");

    @Test
    void theToolsExampleIsVerbatimAndRunsWithOnlyTheJar() throws Exception {
        String readme = Files.readString(Support.REPO.resolve("README.md"));
        assertTrue(readme.contains("```java\n" + Files.readString(TOOLS) + "```"));
        Path jar = Path.of(System.getProperty("infwasi.jar"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder run = new ProcessBuilder(java, "-cp", jar.toString(), TOOLS.toString()).redirectErrorStream(true);
        run.environment().put("INF_WASI_CHAT_MODEL", Support.CHAT_MODEL.toString());
        Process p = run.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.startsWith("get_weather({\"city\":"), out);
    }
}
