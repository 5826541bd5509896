package dev.infwasi;

import java.util.ArrayList;
import java.util.List;

/**
 * How to generate. Unset options take the component's defaults: {@code maxTokens} 256,
 * {@code temperature} 0.8 (0 is greedy), {@code topK} 40, {@code topP} 0.95, {@code minP} 0.05,
 * {@code repeatPenalty} 1.0 (off), {@code repeatLastN} 64, a random {@code seed}, no tools. Values are
 * checked by the component, which gives every language the same messages.
 */
public final class GenerateOptions {
    private static final long UNSET = -1;

    // Flattened for the native call: whole numbers (-1 unset) and fractions (NaN unset).
    final long[] whole;
    final float[] fractions;
    final String[] stop;
    final String grammar;
    final String jsonSchema;
    // Tools as each one's name, description and parameters in turn; the choice as its kind and
    // function (null unset); parallel calls -1 (unset), 0 or 1.
    final String[] tools;
    final String[] toolChoice;
    final int parallelToolCalls;

    private GenerateOptions(Builder b) {
        whole = new long[] {b.maxTokens, b.topK, b.repeatLastN, b.seed};
        fractions = new float[] {b.temperature, b.topP, b.minP, b.repeatPenalty};
        stop = b.stop.toArray(new String[0]);
        grammar = b.grammar;
        jsonSchema = b.jsonSchema;
        tools = ToolCalls.flatTools(b.tools);
        toolChoice = b.toolChoice == null ? null : b.toolChoice.wire();
        parallelToolCalls = b.parallelToolCalls;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static GenerateOptions defaults() {
        return builder().build();
    }

    public static final class Builder {
        private long maxTokens = UNSET;
        private long topK = UNSET;
        private long repeatLastN = UNSET;
        private long seed = UNSET;
        private float temperature = Float.NaN;
        private float topP = Float.NaN;
        private float minP = Float.NaN;
        private float repeatPenalty = Float.NaN;
        private final List<String> stop = new ArrayList<>();
        private String grammar;
        private String jsonSchema;
        private final List<Tool> tools = new ArrayList<>();
        private ToolChoice toolChoice;
        private int parallelToolCalls = -1;

        private Builder() {}

        private static long whole(String name, long value) {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw InfWasiException.invalidInput(name + " must be a whole number from 0 to 4294967295, got " + value);
            }
            return value;
        }

        private static float fraction(String name, float value) {
            if (Float.isNaN(value)) {
                throw InfWasiException.invalidInput(name + " must be a number, got NaN");
            }
            return value;
        }

        /** Most tokens to generate. */
        public Builder maxTokens(long n) {
            maxTokens = whole("maxTokens", n);
            return this;
        }

        /** Generation ends before this string, which is not part of the text. */
        public Builder stop(String s) {
            stop.add(Text.require(s, "a stop string"));
            return this;
        }

        public Builder temperature(float t) {
            temperature = fraction("temperature", t);
            return this;
        }

        public Builder topK(long k) {
            topK = whole("topK", k);
            return this;
        }

        public Builder topP(float p) {
            topP = fraction("topP", p);
            return this;
        }

        public Builder minP(float p) {
            minP = fraction("minP", p);
            return this;
        }

        public Builder repeatPenalty(float p) {
            repeatPenalty = fraction("repeatPenalty", p);
            return this;
        }

        public Builder repeatLastN(long n) {
            repeatLastN = whole("repeatLastN", n);
            return this;
        }

        public Builder seed(long s) {
            seed = whole("seed", s);
            return this;
        }

        /** A llama.cpp GBNF grammar the output must follow. */
        public Builder grammar(String gbnf) {
            grammar = Text.optional(gbnf, "grammar");
            return this;
        }

        /** A JSON Schema (as JSON text) the output must follow. */
        public Builder jsonSchema(String schema) {
            jsonSchema = Text.optional(schema, "jsonSchema");
            return this;
        }

        /** A function the model may call (chat only). */
        public Builder tool(Tool tool) {
            if (tool == null) {
                throw InfWasiException.invalidInput("a tool must not be null");
            }
            tools.add(tool);
            return this;
        }

        /** Whether, and which, tools the model must call; {@link ToolChoice#AUTO} when unset. */
        public Builder toolChoice(ToolChoice choice) {
            toolChoice = choice;
            return this;
        }

        /** Whether one turn may hold more than one call (default true). */
        public Builder parallelToolCalls(boolean parallel) {
            parallelToolCalls = parallel ? 1 : 0;
            return this;
        }

        public GenerateOptions build() {
            return new GenerateOptions(this);
        }
    }
}
