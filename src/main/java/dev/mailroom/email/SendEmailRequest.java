package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /emails}. Content is either a template with its variables, or a ready
 * subject with html and/or text. {@code attachments} and {@code headers} go into the message as
 * given, once checked. {@code sendAt} and {@code expiresAt} are ISO-8601 instants and {@code
 * priority} one of high, normal, low; they stay strings here so that a bad value is a 422 naming
 * the field, read by {@link Schedule}.
 */
public record SendEmailRequest(
    @Schema(description = "The sender; mailroom.email.default-from when absent")
        @Nullable EmailAddress from,
    @Schema(description = "An address or a list; at least one recipient in to, cc or bcc")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> to,
    @Schema(description = "An address or a list")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> cc,
    @Schema(description = "An address or a list; never shown to other recipients")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> bcc,
    @Schema(description = "An address or a list, at most 10")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> replyTo,
    @Schema(description = "Instead of a template; no line breaks", example = "Your receipt")
        @Nullable String subject,
    @Schema(description = "HTML body; a text part is derived from it when text is absent")
        @Nullable String html,
    @Schema(description = "Plain-text body") @Nullable String text,
    @Schema(
            description = "The template to render, instead of subject/html/text",
            example = "welcome")
        @Nullable String template,
    @Schema(description = "The template's variables; JSON values, data only")
        @Nullable Map<String, @Nullable Object> variables,
    @Schema(
            description = "The template locale; fr-CA falls back to fr, then the default",
            example = "fr")
        @Nullable String locale,
    @Schema(description = "Up to 20 labels of 1-64 A-Za-z0-9_.:-; stored, never sent")
        @Nullable List<@Nullable String> tags,
    @Schema(description = "Up to 50 string values; stored and returned, never sent")
        @Nullable Map<String, @Nullable String> metadata,
    @Schema(
            description =
                "Files to attach; an entry with contentId is an inline part for cid: URLs")
        @Nullable List<@Nullable Attachment> attachments,
    @Schema(
            description =
                "Extra headers: List-Unsubscribe and the other list fields, References,"
                    + " In-Reply-To, Keywords, Comments, Auto-Submitted, Precedence, Feedback-ID"
                    + " or X- names. The service's own, trace and authentication fields are"
                    + " refused")
        @Nullable Map<String, @Nullable String> headers,
    // Left out of the idempotency hash when absent, so hashes of earlier requests still match.
    @Schema(
            description = "ISO-8601 instant to send at; up to 30 days ahead",
            example = "2026-12-01T09:00:00Z")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Nullable String sendAt,
    @Schema(
            description = "ISO-8601 instant after which it is never sent (FAILED/EXPIRED)",
            example = "2026-12-01T09:10:00Z")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Nullable String expiresAt,
    @Schema(description = "high, normal (default) or low", example = "high")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Nullable String priority) {

  List<EmailAddress> toOrEmpty() {
    return orEmpty(to);
  }

  List<EmailAddress> ccOrEmpty() {
    return orEmpty(cc);
  }

  List<EmailAddress> bccOrEmpty() {
    return orEmpty(bcc);
  }

  List<EmailAddress> replyToOrEmpty() {
    return orEmpty(replyTo);
  }

  @SuppressWarnings("NullAway")
  private static List<EmailAddress> orEmpty(@Nullable List<@Nullable EmailAddress> list) {
    return list == null ? List.of() : java.util.Collections.unmodifiableList(list);
  }
}
