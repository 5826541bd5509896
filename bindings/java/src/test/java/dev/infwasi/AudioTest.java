package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * Audio through the JNI library: the default model with a tiny random-weight Ultravox projector (50
 * embeddings per 30-second chunk). The shared audio cases (token counts, malformed files, refusals) are in
 * tests/conformance.
 */
class AudioTest {
    @TempDir
    static Path dir;

    static Path projector;
    static Engine engine;
    static Path audio;

    @BeforeAll
    static void open() throws Exception {
        projector = Support.tinyAudioProjector(dir);
        audio = Support.testAudio(Files.createDirectories(dir.resolve("audio")));
        engine = Engine.builder().model("gemma-audio", Support.MODEL, projector).threads(1).contextSize(512).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static List<Message> ask(Media part) {
        return List.of(Message.user("What do you hear? ", part));
    }

    /** The ways Java takes audio, and what history() gives back. */
    @Test
    void audioFromAPathOrBytesGivesOneAnswerAndStaysInTheHistory() throws Exception {
        byte[] wav = Files.readAllBytes(audio.resolve("tones-1s.wav"));
        try (Session a = engine.session("gemma-audio"); Session b = engine.session("gemma-audio")) {
            String streamed = a.chatStream(ask(Audio.of(audio.resolve("tones-1s.wav"))), Support.greedy(6))
                    .collect(Collectors.joining());
            Completion first = a.lastCompletion();
            assertEquals(streamed, first.text());
            assertEquals(first, b.chat(ask(Audio.of(wav)), Support.greedy(6)));
            Message asked = a.history().get(0);
            assertEquals(List.of(), asked.images());
            assertEquals(1, asked.audio().size());
            assertArrayEquals(wav, asked.audio().get(0).bytes());
            try (Session c = engine.session("gemma-audio")) {
                // The history replays as it came: the same prompt.
                Completion replayed = c.chat(List.of(asked), Support.greedy(6));
                assertEquals(first.usage().promptTokens(), replayed.usage().promptTokens());
            }
        }
        assertTrue(engine.modelInfo("gemma-audio").audio());
    }

    @Test
    void anUnreadableFileAndALengthLimitAreInvalidInput() throws Exception {
        assertEquals(ErrorCode.INVALID_INPUT,
                assertThrows(InfWasiException.class, () -> Audio.of(audio.resolve("no-such.wav"))).code());
        assertEquals(ErrorCode.INVALID_INPUT, assertThrows(InfWasiException.class, () -> Audio.of((byte[]) null)).code());
        try (Engine shortClips = Engine.builder().model("a", Support.MODEL, projector).threads(1).maxAudioSeconds(30).build();
                Session s = shortClips.session("a")) {
            InfWasiException e = assertThrows(InfWasiException.class,
                    () -> s.chat(ask(Audio.of(audio.resolve("tones-31s.wav"))), Support.greedy(1)));
            assertEquals(ErrorCode.INVALID_INPUT, e.code());
            assertTrue(e.getMessage().contains("max audio length of 30 seconds"), e.getMessage());
        }
        assertThrows(InfWasiException.class, () -> Engine.builder().maxAudioSeconds(0));
    }
}
