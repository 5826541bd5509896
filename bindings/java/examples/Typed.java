import dev.infwasi.Engine;
import dev.infwasi.GenerateOptions;
import dev.infwasi.Session;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;

public class Typed {
    /** What the answer must be: its JSON schema constrains generation. */
    record City(@NotNull @Size(max = 30) String name, @NotNull @Size(max = 30) String country,
            @Min(0) @Max(50_000_000) int population) {}

    public static void main(String[] args) {
        Path model = Path.of(System.getenv("INF_WASI_MODEL"));
        try (Engine engine = Engine.builder().model("gemma", model).build();
                Session session = engine.session("gemma")) {
            GenerateOptions greedy = GenerateOptions.builder().temperature(0).maxTokens(96).build();
            City city = session.complete("The largest city in France, as JSON:", greedy, City.class);
            System.out.println(city.name() + ", " + city.country() + ": " + city.population() + " people");
        }
    }
}
