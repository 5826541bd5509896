import dev.infwasi.Audio;
import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Message;
import dev.infwasi.Session;
import java.nio.file.Path;
import java.util.List;

public class Listen {
    public static void main(String[] args) {
        // A speech model's GGUF, its audio projector (mmproj GGUF), and a recording (WAV, FLAC or MP3).
        Path model = Path.of(System.getenv("INF_WASI_MODEL"));
        Path projector = Path.of(System.getenv("INF_WASI_PROJECTOR"));
        Path recording = Path.of(System.getenv("INF_WASI_AUDIO"));
        try (Engine engine = Engine.builder().model("speech", model, projector).build();
                Session session = engine.session("speech")) {
            Message question = Message.user("What is said in this recording?", Audio.of(recording));
            session.chatStream(List.of(question), GenerateOptions.builder().maxTokens(32).build())
                    .forEach(System.out::print);
            System.out.println("\naudio: " + engine.modelInfo("speech").audio());
        }
    }
}
