import dev.infwasi.Completion;
import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.InfWasiException;
import dev.infwasi.Message;
import dev.infwasi.Session;
import java.nio.file.Path;
import java.util.List;

public class Quickstart {
    public static void main(String[] args) {
        String home = System.getProperty("user.home");
        String model = System.getenv().getOrDefault("INF_WASI_MODEL", home + "/.cache/inf-wasi/models/gemma-3-270m-q4_k_m.gguf");

        try (Engine engine = Engine.builder().model("gemma", Path.of(model)).build();
             Session session = engine.session("gemma")) {
            session.stream("Why is the sky blue?", GenerateOptions.builder().maxTokens(32).build())
                   .forEach(System.out::print);
            System.out.println();

            GenerateOptions greedy = GenerateOptions.builder().temperature(0).maxTokens(24).build();
            Completion reply = session.chat(List.of(Message.user("Name three colours.")), greedy);
            System.out.println(reply.text() + " " + reply.finishReason() + " " + reply.usage().completionTokens());

            String schema = "{\"type\":\"object\",\"properties\":{\"colour\":{\"type\":\"string\",\"maxLength\":20}},\"required\":[\"colour\"]}";
            GenerateOptions json = GenerateOptions.builder().temperature(0).jsonSchema(schema).build();
            System.out.println(session.complete("My favourite colour, as JSON:", json).text());

            System.out.println(engine.embed("gemma", "a sentence to embed")[0].length + " dimensions");
            try {
                engine.session("no-such-model");
            } catch (InfWasiException e) {
                System.out.println(e.code().wit() + " " + e.getMessage());
            }
        }
    }
}
