package dev.mailroom.template;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /templates/{name}/preview}.
 *
 * @param version null for the latest version
 */
record PreviewRequest(
    @Schema(description = "The template's variables, as in POST /emails")
        @Nullable Map<String, @Nullable Object> variables,
    @Schema(
            description = "The locale to render; fr-CA falls back to fr, then the default",
            example = "fr")
        @Nullable String locale,
    @Schema(description = "The version to render; the latest when absent")
        @Nullable Integer version) {}
