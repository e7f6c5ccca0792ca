package dev.mailroom.template;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code PUT /templates/{name}}: the default variant, variants by locale and the
 * variables every email must give. Everything is nullable here so that validation can name each
 * problem.
 */
record TemplateRequest(
    @Schema(
            description = "Required; one line, variables inlined as [(${name})]",
            example = "Welcome to [(${productName})], [(${name})]!")
        @Nullable String subject,
    @Schema(description = "Required; Thymeleaf HTML, variables as th:text=\"${name}\"")
        @Nullable String html,
    @Schema(description = "Plain-text body; derived from the HTML when absent")
        @Nullable String text,
    @Schema(
            description =
                "Variants by language tag (fr, fr-CA), each with its own subject and html")
        @Nullable Map<String, @Nullable LocaleVariant> locales,
    @Schema(description = "Variables every email must give, on top of those the template uses")
        @Nullable List<@Nullable String> requiredVariables) {

  @Schema(description = "A locale's variant: subject and html required, text optional")
  record LocaleVariant(@Nullable String subject, @Nullable String html, @Nullable String text) {}
}
