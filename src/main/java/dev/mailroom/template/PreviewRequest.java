package dev.mailroom.template;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /templates/{name}/preview}.
 *
 * @param version null for the latest version
 */
record PreviewRequest(
    @Nullable Map<String, @Nullable Object> variables,
    @Nullable String locale,
    @Nullable Integer version) {}
