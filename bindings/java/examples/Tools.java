import dev.infwasi.Completion;
import dev.infwasi.Engine;
import dev.infwasi.FinishReason;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Message;
import dev.infwasi.Session;
import dev.infwasi.Tool;
import dev.infwasi.ToolCall;
import dev.infwasi.ToolChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class Tools {
    /** The function the model may call; the application runs it (arguments: JSON text). */
    static String getWeather(String arguments) {
        return "{\"temperature\": 18, \"unit\": \"celsius\", \"asked\": " + arguments + "}";
    }

    public static void main(String[] args) {
        // An instruct model: here SmolLM2-135M-Instruct, which `inf-wasi models pull` fetches.
        String home = System.getProperty("user.home");
        String chat = System.getenv().getOrDefault("INF_WASI_CHAT_MODEL",
                home + "/.cache/inf-wasi/models/smollm2-135m-instruct-q4_1.gguf");
        Tool weather = Tool.of("get_weather", "The current weather in a city.",
                "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 30}},"
                        + " \"required\": [\"city\"]}");
        try (Engine engine = Engine.builder().model("chat", Path.of(chat)).build();
                Session session = engine.session("chat")) {
            GenerateOptions.Builder options = GenerateOptions.builder()
                    .temperature(0).maxTokens(64).tool(weather).parallelToolCalls(false);
            // REQUIRED: the model calls a tool, with arguments that match its schema.
            Message question = Message.user("What is the weather in Paris?");
            Completion asked = session.chat(List.of(question), options.toolChoice(ToolChoice.REQUIRED).build());
            if (asked.finishReason() != FinishReason.TOOL_CALLS) {
                throw new IllegalStateException("no call: " + asked.text());
            }
            List<Message> results = new ArrayList<>();
            for (ToolCall call : asked.toolCalls()) {
                System.out.println(call.name() + "(" + call.arguments() + ")");
                results.add(Message.toolResult(call.id(), getWeather(call.arguments())));
            }
            // The session remembers the calls; the results answer them by id, and the model replies.
            System.out.println(session.chat(results, options.toolChoice(ToolChoice.NONE).build()).text());
        }
    }
}
