package dev.mailroom.template;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where operators keep their own email templates.
 *
 * @param directory a folder laid out like {@code classpath:email-templates/}; its templates replace
 *     built-in ones of the same name. Unset means built-in templates only.
 */
@ConfigurationProperties("mailroom.templates")
@Validated
public record TemplateSettings(@Nullable Path directory) {}
