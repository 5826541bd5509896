package dev.infwasi;

import java.util.List;

/** A finished generation, with the tool calls the model made (finish reason {@code TOOL_CALLS}). */
public record Completion(String text, FinishReason finishReason, Usage usage, List<ToolCall> toolCalls) {
    public Completion {
        toolCalls = List.copyOf(toolCalls);
    }

    /** Made by the native library; {@code calls} holds each call's id, name and arguments in turn. */
    Completion(String text, String finishReason, int promptTokens, int cachedTokens, int completionTokens,
            String[] calls) {
        this(text, FinishReason.valueOf(finishReason), new Usage(promptTokens, cachedTokens, completionTokens),
                ToolCalls.of(calls));
    }
}
