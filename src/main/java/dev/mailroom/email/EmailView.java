package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mailroom.event.TimelineEvent;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code GET /emails/{id}}: the email, each recipient's fate, every attempt and its timeline. */
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
      "events",
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
    @Schema(description = "What happened to the email, oldest first") List<TimelineEvent> events,
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
      String kind,
      String email,
      @Nullable String name,
      RecipientStatus status,
      @Nullable Reply lastReply,
      @Nullable Bounce bounce) {}

  /**
   * What came back after the relay took the email for this recipient: a bounce or a complaint.
   *
   * @param kind {@code HARD} (the address is bad), {@code SOFT} (the remote side gave up for a
   *     transient reason) or {@code COMPLAINT}
   * @param status the RFC 3463 enhanced status code the report gave, e.g. {@code 5.1.1}
   * @param diagnostic what the remote server said, or the feedback type of a complaint
   * @param at when the report arrived
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Schema(requiredProperties = {"kind", "at"})
  public record Bounce(
      @Schema(allowableValues = {"HARD", "SOFT", "COMPLAINT"}) String kind,
      @Nullable String status,
      @Nullable String diagnostic,
      Instant at) {}

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
