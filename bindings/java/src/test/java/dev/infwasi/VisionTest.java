package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void anImageQuestionStreamsAndRepeatsExactly() throws Exception {
        assertTrue(engine.modelInfo("gemma-vision").vision());
        assertFalse(engine.modelInfo("gemma").vision());
        try (Session session = engine.session("gemma-vision")) {
            String streamed = session.chatStream(ask(Image.of(images.resolve("gradient.png"))), Support.greedy(6))
                    .collect(Collectors.joining());
            Completion first = session.lastCompletion();
            assertEquals(streamed, first.text());
            try (Session other = engine.session("gemma-vision")) {
                Image bytes = Image.of(Files.readAllBytes(images.resolve("gradient.png")));
                Completion again = other.chat(ask(bytes), Support.greedy(6));
                assertEquals(first.text(), again.text());
                assertEquals(first.usage().promptTokens(), again.usage().promptTokens());
            }
            try (Session large = engine.session("gemma-vision")) {
                Completion c = large.chat(ask(Image.of(images.resolve("large.png"))), Support.greedy(2));
                assertEquals(first.usage().promptTokens(), c.usage().promptTokens(), "every image is 4 tokens");
            }
            try (Session fromJpeg = engine.session("gemma-vision")) {
                Completion jpeg = fromJpeg.chat(ask(Image.of(images.resolve("gradient.jpg"))), Support.greedy(2));
                assertEquals(first.usage().promptTokens(), jpeg.usage().promptTokens(), "a JPEG too");
            }
            Completion followUp = session.chat(List.of(Message.user("And its colour?")), Support.greedy(4));
            assertTrue(followUp.usage().promptTokens() > first.usage().promptTokens());
            assertEquals(4, session.history().size());
        }
    }

    @Test
    void badImagesAreInvalidInputAndATextModelRefusesImages() {
        try (Session session = engine.session("gemma-vision")) {
            for (String name : List.of("truncated.png", "not-an-image.jpg", "zero.png", "huge-header.png")) {
                Image image = Image.of(images.resolve(name));
                InfWasiException e = assertThrows(InfWasiException.class, () -> session.chat(ask(image), Support.greedy(2)));
                assertEquals(ErrorCode.INVALID_INPUT, e.code(), name);
            }
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> Image.of(images.resolve("no-such.png"))).code());
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> session.chat(ask(Image.of(new byte[0])), Support.greedy(2))).code());
            assertTrue(session.chat(ask(Image.of(images.resolve("gradient.png"))), Support.greedy(2)).usage().completionTokens() > 0);
        }
        try (Session text = engine.session("gemma")) {
            Image image = Image.of(images.resolve("gradient.png"));
            assertEquals(ErrorCode.UNSUPPORTED, assertThrows(InfWasiException.class, () -> text.chat(ask(image), Support.greedy(2))).code());
        }
    }
}
