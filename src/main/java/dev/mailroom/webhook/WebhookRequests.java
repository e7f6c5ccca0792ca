package dev.mailroom.webhook;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The bodies of {@code POST /webhooks} and {@code PATCH /webhooks/{id}}. */
final class WebhookRequests {

  private WebhookRequests() {}

  @Schema(description = "A new webhook endpoint", requiredProperties = "url")
  record Create(
      @Schema(
              description = "http or https; must resolve to public addresses",
              example = "https://hooks.example.com/mailroom")
          @Nullable String url,
      @Schema(
              description = "The event types to deliver; every type when absent",
              example = "[\"email.sent\", \"email.failed\", \"email.bounced\"]")
          @Nullable List<@Nullable String> events,
      @Schema(description = "Free text, up to 256 characters", example = "Order service")
          @Nullable String description) {}

  @Schema(description = "The fields to change; absent fields stay as they are")
  record Update(
      @Nullable String url,
      @Nullable List<@Nullable String> events,
      @Nullable String description,
      @Schema(description = "false pauses deliveries; true resumes them and clears disabledReason")
          @Nullable Boolean enabled) {}
}
