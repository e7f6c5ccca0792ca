package dev.mailroom.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One entry of an email's timeline in {@code GET /emails/{id}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
    description = "Something that happened to the email",
    requiredProperties = {"type", "at"})
public record TimelineEvent(
    @Schema(example = "email.sent") String type,
    Instant at,
    @Schema(description = "The recipient's address when the event is about one recipient")
        @Nullable String recipient,
    @Schema(
            description =
                "What the event knows: smtpCode, enhancedCode, diagnostic, relay, attempt,"
                    + " reason, nextAttemptAt, recipients")
        Map<String, @Nullable Object> data) {}
