package dev.infwasi;

/**
 * A function the model may call: its name (letters, digits, {@code _} and {@code -}), what it
 * does for the model (or null), and a JSON Schema of its arguments object as JSON text (or null:
 * it takes none). Calls come back in {@link Completion#toolCalls()}.
 */
public record Tool(String name, String description, String parameters) {
    public Tool {
        Text.require(name, "a tool's name");
        description = Text.optional(description, "a tool's description");
        parameters = Text.optional(parameters, "a tool's parameters");
    }

    /** A tool that takes no arguments. */
    public static Tool of(String name, String description) {
        return new Tool(name, description, null);
    }

    /** A tool whose arguments follow {@code parametersSchema} (JSON Schema text). */
    public static Tool of(String name, String description, String parametersSchema) {
        return new Tool(name, description, parametersSchema);
    }
}
