package dev.infwasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Typed structured output: records with Jakarta Validation constraints (nested records, bounded
 * numbers, enums, optional components, lists of records) in, instances out, sampled with the
 * instruct test model on several seeds.
 */
class TypedTest {
    enum Colour { RED, GREEN, BLUE }

    record Address(@NotNull @Size(max = 40) String street, @NotNull @Pattern(regexp = "^\\d{5}$") String zip) {}

    record Person(
            @NotNull @Size(min = 1, max = 30) String name,
            @Min(0) @Max(120) int age,
            @NotNull Colour favourite,
            @NotNull Address home,
            @NotNull @Size(max = 2) List<Address> previous,
            @Size(max = 20) String nickname) {}

    static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.builder().model("chat", Support.CHAT_MODEL).threads(1).contextSize(2048).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void aRecordComesBackAsAnInstance() {
        for (long seed : new long[] {1, 2, 3}) {
            GenerateOptions options = GenerateOptions.builder().temperature(0.8f).seed(seed).maxTokens(400).build();
            try (Session s = engine.session("chat")) {
                Person p = s.chat(List.of(Message.user("Describe a made-up person as JSON.")), options, Person.class);
                assertTrue(p.age() >= 0 && p.age() <= 120, p.toString());
                assertTrue(p.home().zip().matches("\\d{5}") && p.previous().size() <= 2, p.toString());
                assertNotNull(p.favourite());
                assertTrue(p.nickname() == null || p.nickname().length() <= 20, p.toString());
            }
        }
    }

    @Test
    void aCutAnswerIsAClearError() {
        try (Session s = engine.session("chat")) {
            GenerateOptions short3 = GenerateOptions.builder().temperature(0).maxTokens(3).build();
            InfWasiException e = assertThrows(InfWasiException.class, () -> s.complete("A person:", short3, Person.class));
            assertEquals(ErrorCode.INVALID_INPUT, e.code());
            assertTrue(e.getMessage().contains("raise maxTokens"), e.getMessage());
        }
    }
}
