import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Image;
import dev.infwasi.Message;
import dev.infwasi.Session;
import java.nio.file.Path;
import java.util.List;

public class Vision {
    public static void main(String[] args) {
        // A vision model's GGUF, its multimodal projector (mmproj GGUF), and a picture.
        Path model = Path.of(System.getenv("INF_WASI_MODEL"));
        Path projector = Path.of(System.getenv("INF_WASI_PROJECTOR"));
        Path picture = Path.of(System.getenv("INF_WASI_IMAGE"));
        try (Engine engine = Engine.builder().model("vision", model, projector).build();
                Session session = engine.session("vision")) {
            Message question = Message.user("What is in this picture?", Image.of(picture));
            session.chatStream(List.of(question), GenerateOptions.builder().maxTokens(32).build())
                    .forEach(System.out::print);
            System.out.println("\nvision: " + engine.modelInfo("vision").vision());
        }
    }
}
