package dev.infwasi;

import java.util.ArrayList;
import java.util.List;

/** Tool calls as the native side passes them: each call's id, name and arguments in turn. */
final class ToolCalls {
    private ToolCalls() {}

    static List<ToolCall> of(String[] flat) {
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i + 2 < flat.length; i += 3) {
            calls.add(new ToolCall(flat[i], flat[i + 1], flat[i + 2]));
        }
        return calls;
    }

    static String[] flat(List<ToolCall> calls) {
        return calls.stream().flatMap(c -> java.util.stream.Stream.of(c.id(), c.name(), c.arguments()))
                .toArray(String[]::new);
    }

    static String[] flatTools(List<Tool> tools) {
        return tools.stream().flatMap(t -> java.util.stream.Stream.of(t.name(), t.description(), t.parameters()))
                .toArray(String[]::new);
    }
}
