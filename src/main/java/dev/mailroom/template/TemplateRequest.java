package dev.mailroom.template;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code PUT /templates/{name}}: the default variant, variants by locale and the
 * variables every email must give. Everything is nullable here so that validation can name each
 * problem.
 */
record TemplateRequest(
    @Nullable String subject,
    @Nullable String html,
    @Nullable String text,
    @Nullable Map<String, @Nullable LocaleVariant> locales,
    @Nullable List<@Nullable String> requiredVariables) {

  record LocaleVariant(@Nullable String subject, @Nullable String html, @Nullable String text) {}
}
