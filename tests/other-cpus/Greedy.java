import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Session;
import java.nio.file.Path;

/** Greedy completion through the jar alone: java -cp JAR:. Greedy MODEL PROMPT TOKENS. */
public class Greedy {
    public static void main(String[] args) {
        GenerateOptions greedy = GenerateOptions.builder().temperature(0).maxTokens(Integer.parseInt(args[2])).build();
        try (Engine engine = Engine.builder().threads(1).model("m", Path.of(args[0])).build();
             Session session = engine.session("m")) {
            System.out.print(session.complete(args[1], greedy).text());
        }
    }
}
