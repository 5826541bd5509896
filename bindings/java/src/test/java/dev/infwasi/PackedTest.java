package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One file to deploy: a model packed into the .wasm ({@code inf-wasi pack}) opens with one call. */
class PackedTest {
    private static final String PROMPT = "The capital of France is";

    @TempDir
    Path scratch;

    private Path pack(String name, String... extra) throws IOException, InterruptedException {
        Path out = scratch.resolve(name);
        List<String> command = new ArrayList<>(List.of(
                Support.REPO.resolve("target/release/inf-wasi").toString(),
                "pack", Support.MODEL.toString(), "--name", "gemma", "-o", out.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .start();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), said);
        return out;
    }

    @Test
    void aPackedModelAnswersAsItsFileDoes() throws Exception {
        try (Engine packed = Engine.builder().packedFile(pack("app.wasm")).threads(1).contextSize(2048).build();
                Engine plain = Support.engine()) {
            assertEquals("gemma", packed.modelInfo("gemma").name());
            String expected;
            try (Session s = plain.session("gemma")) {
                expected = s.complete(PROMPT, Support.greedy(12)).text();
            }
            try (Session s = packed.session("gemma")) {
                assertEquals(expected, s.complete(PROMPT, Support.greedy(12)).text());
            }
        }
    }

    @Test
    void aPackedProjectorSeesAsItsFileDoes() throws Exception {
        Path projector = Support.tinyProjector(Files.createDirectories(scratch.resolve("projector")));
        Path images = Support.testImages(Files.createDirectories(scratch.resolve("images")));
        List<Message> question = List.of(Message.user("What is in this picture? ", Image.of(images.resolve("gradient.png"))));
        try (Engine packed = Engine.builder().packedFile(pack("vision.wasm", "--mmproj", projector.toString()))
                        .threads(1).contextSize(2048).build();
                Engine plain = Engine.builder().model("gemma", Support.MODEL, projector).threads(1).contextSize(2048).build()) {
            assertTrue(packed.modelInfo("gemma").vision());
            Completion expected;
            try (Session s = plain.session("gemma")) {
                expected = s.chat(question, Support.greedy(12));
            }
            try (Session s = packed.session("gemma")) {
                Completion answer = s.chat(question, Support.greedy(12));
                assertEquals(expected.text(), answer.text());
                assertEquals(expected.usage().promptTokens(), answer.usage().promptTokens());
            }
        }
    }

    @Test
    void filesThatAreNotPackedModelsAreInvalidModels() throws Exception {
        InfWasiException notPacked = assertThrows(InfWasiException.class, () -> Engine.fromFile(Support.MODEL));
        assertEquals(ErrorCode.INVALID_MODEL, notPacked.code(), notPacked.getMessage());
        Path flipped = pack("flipped.wasm");
        byte[] bytes = Files.readAllBytes(flipped);
        bytes[bytes.length - 1] ^= 1;
        Files.write(flipped, bytes);
        try (Engine broken = Engine.builder().packedFile(flipped).threads(1).build()) {
            InfWasiException e = assertThrows(InfWasiException.class, () -> broken.session("gemma"));
            assertEquals(ErrorCode.INVALID_MODEL, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        }
    }
}
