package dev.infwasi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationModule;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationOption;

/**
 * Typed structured output: a class (a record, say) in, an instance out. Its JSON schema comes
 * from victools' generator, with Jakarta Validation constraints ({@code @Min}, {@code @Size},
 * {@code @Pattern}, ...) and {@code @NotNull} or primitive components required; it goes to the
 * component like any {@code jsonSchema}, so its grammar is the one every language uses. The
 * libraries are optional dependencies of the artifact, loaded on first use.
 */
final class Typed {
    private Typed() {}

    /** Made on first use, so that an application without the libraries loads the rest. */
    private static final class Libraries {
        static final SchemaGenerator GENERATOR = generator();
        static final ObjectMapper JSON =
                new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

        private static SchemaGenerator generator() {
            SchemaGeneratorConfigBuilder config =
                    new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                            .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT)
                            .with(new JakartaValidationModule(
                                    JakartaValidationOption.NOT_NULLABLE_FIELD_IS_REQUIRED,
                                    JakartaValidationOption.INCLUDE_PATTERN_EXPRESSIONS));
            config.forFields().withRequiredCheck(field -> field.getType().isPrimitive());
            return new SchemaGenerator(config.build());
        }
    }

    /** {@code type}'s JSON schema, as text. */
    static String jsonSchemaOf(Class<?> type) {
        if (type == null) {
            throw InfWasiException.invalidInput("the type is null");
        }
        try {
            return Libraries.GENERATOR.generateSchema(type).toString();
        } catch (NoClassDefFoundError e) {
            throw InfWasiException.invalidInput("typed output needs com.github.victools:jsonschema-generator, "
                    + "jsonschema-module-jakarta-validation, jakarta.validation-api and jackson-databind on the "
                    + "class path (" + e.getMessage() + ")");
        }
    }

    /** The completion's text as a {@code type}. */
    static <T> T parsed(Class<T> type, Completion completion) {
        if (completion.finishReason() != FinishReason.STOP) {
            throw InfWasiException.invalidInput("the answer ended (" + completion.finishReason()
                    + ") before its JSON did, after " + completion.usage().completionTokens()
                    + " tokens: raise maxTokens");
        }
        try {
            return Libraries.JSON.readValue(completion.text(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The grammar admits only answers that follow the schema: this is a fault.
            throw new InfWasiException(ErrorCode.BACKEND, "the answer does not read as " + type.getName() + ": "
                    + e.getOriginalMessage());
        }
    }
}
