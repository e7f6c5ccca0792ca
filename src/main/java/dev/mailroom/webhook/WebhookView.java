package dev.mailroom.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A webhook endpoint as the API shows it; the secret only in the answer that made it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
    description = "A webhook endpoint",
    requiredProperties = {"id", "url", "events", "enabled", "createdAt", "updatedAt"})
record WebhookView(
    UUID id,
    String url,
    @Nullable String description,
    List<String> events,
    boolean enabled,
    @Schema(description = "Why deliveries stopped, when enabled is false")
        @Nullable String disabledReason,
    @Schema(description = "When the endpoint was disabled, when enabled is false")
        @Nullable Instant disabledAt,
    Instant createdAt,
    Instant updatedAt,
    @Schema(description = "Until when the previous secret also signs, after a rotation")
        @Nullable Instant previousSecretExpiresAt,
    @Schema(
            description =
                "The signing secret (whsec_...): only in the answers of POST /webhooks and"
                    + " rotate-secret, never again")
        @Nullable String secret) {

  static WebhookView of(WebhookEndpoint endpoint, Instant now) {
    return new WebhookView(
        endpoint.id(),
        endpoint.url(),
        endpoint.description(),
        endpoint.eventTypes(),
        endpoint.enabled(),
        endpoint.disabledReason(),
        endpoint.disabledAt(),
        endpoint.createdAt(),
        endpoint.updatedAt(),
        endpoint.previousSecretExpiresAt(now),
        null);
  }

  WebhookView withSecret(String secret) {
    return new WebhookView(
        id,
        url,
        description,
        events,
        enabled,
        disabledReason,
        disabledAt,
        createdAt,
        updatedAt,
        previousSecretExpiresAt,
        secret);
  }
}
