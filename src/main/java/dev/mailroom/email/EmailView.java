package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code GET /emails/{id}}: the email, each recipient's fate and every attempt. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
    description = "An email, each recipient's fate and every delivery attempt",
    requiredProperties = {
      "id",
      "project",
      "status",
      "messageId",
      "from",
      "subject",
      "recipients",
      "attempts",
      "tags",
      "metadata",
      "createdAt"
    })
public record EmailView(
    UUID id,
    @Schema(description = "The project of the API key that sent it", example = "billing")
        String project,
    EmailStatus status,
    String messageId,
    String from,
    String subject,
    @Nullable TemplateUsed template,
    List<Recipient> recipients,
    List<Attempt> attempts,
    List<String> tags,
    Map<String, String> metadata,
    Priority priority,
    Instant createdAt,
    @Nullable Instant sendAt,
    @Nullable Instant expiresAt,
    @Nullable Instant sentAt,
    @Nullable Instant nextAttemptAt,
    @Nullable String failureReason,
    @Nullable String failureDetail) {

  public record TemplateUsed(String name, String version, @Nullable String locale) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Reply(
      @Nullable Integer code, @Nullable String enhancedCode, @Nullable String text) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Recipient(
      String kind, String email, @Nullable String name, String status, @Nullable Reply lastReply) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Attempt(
      int number,
      Instant at,
      String relay,
      String outcome,
      @Nullable Reply reply,
      long durationMs,
      String dispatcher,
      @Nullable Tls tls) {}

  /** The TLS session the attempt's connection negotiated; absent for plain SMTP. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tls(String protocol, @Nullable String cipher) {}
}
