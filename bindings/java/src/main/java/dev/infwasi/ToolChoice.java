package dev.infwasi;

/**
 * Whether, and which, tools the model must call: {@link #AUTO} (the default with tools),
 * {@link #NONE}, {@link #REQUIRED}, or one {@link #function(String)}. {@code REQUIRED} and a
 * function hold generation to calls whose arguments match their tools' schemas.
 */
public final class ToolChoice {
    public static final ToolChoice AUTO = new ToolChoice("auto", null);
    public static final ToolChoice NONE = new ToolChoice("none", null);
    public static final ToolChoice REQUIRED = new ToolChoice("required", null);

    private final String kind;
    private final String function;

    private ToolChoice(String kind, String function) {
        this.kind = kind;
        this.function = function;
    }

    /** The model calls the tool named {@code name}. */
    public static ToolChoice function(String name) {
        return new ToolChoice("function", Text.require(name, "the tool choice's function"));
    }

    /** As the native side takes it: the kind, then the function's name if any. */
    String[] wire() {
        return function == null ? new String[] {kind} : new String[] {kind, function};
    }

    @Override
    public String toString() {
        return function == null ? kind : kind + "(" + function + ")";
    }
}
