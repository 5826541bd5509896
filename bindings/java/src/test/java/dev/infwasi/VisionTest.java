package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images through the JNI library: the default model with a tiny random-weight projector (4 embeddings an image). */
class VisionTest {
    @TempDir
    static Path dir;

    static Engine engine;
    static Path images;

    @BeforeAll
    static void open() throws Exception {
        Path projector = Support.tinyProjector(dir);
        images = Support.testImages(Files.createDirectories(dir.resolve("images")));
        engine = Engine.builder()
                .model("gemma-vision", Support.MODEL, projector)
                .model("gemma", Support.MODEL)
                .threads(1)
                .contextSize(512)
                .build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static List<Message> ask(Image image) {
        return List.of(Message.user("What is in this picture? ", image));
    }

    /** The ways Java takes an image, and what history() gives back; the shared image cases are in tests/conformance. */
    @Test
    void anImageFromAPathOrBytesGivesOneAnswerAndStaysInTheHistory() throws Exception {
        byte[] png = Files.readAllBytes(images.resolve("gradient.png"));
        try (Session a = engine.session("gemma-vision"); Session b = engine.session("gemma-vision")) {
            String streamed = a.chatStream(ask(Image.of(images.resolve("gradient.png"))), Support.greedy(6))
                    .collect(Collectors.joining());
            Completion first = a.lastCompletion();
            assertEquals(streamed, first.text());
            Completion again = b.chat(ask(Image.of(png)), Support.greedy(6));
            assertEquals(first, again);
            Message asked = a.history().get(0);
            assertEquals("What is in this picture? ", asked.content());
            assertEquals(1, asked.images().size());
            assertArrayEquals(png, asked.images().get(0).bytes());
        }
    }

    @Test
    void anImageFileThatCannotBeReadIsInvalidInput() {
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> Image.of(images.resolve("no-such.png"))).code());
    }
}
