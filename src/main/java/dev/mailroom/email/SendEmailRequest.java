package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /emails}. Content is either a template with its variables, or a ready
 * subject with html and/or text. {@code sendAt} and {@code expiresAt} are ISO-8601 instants and
 * {@code priority} one of high, normal, low; they stay strings here so that a bad value is a 422
 * naming the field, read by {@link Schedule}.
 */
public record SendEmailRequest(
    @Nullable EmailAddress from,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> to,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> cc,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> bcc,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Nullable List<@Nullable EmailAddress> replyTo,
    @Nullable String subject,
    @Nullable String html,
    @Nullable String text,
    @Nullable String template,
    @Nullable Map<String, @Nullable Object> variables,
    @Nullable String locale,
    @Nullable List<@Nullable String> tags,
    @Nullable Map<String, @Nullable String> metadata,
    // Left out of the idempotency hash when absent, so hashes of earlier requests still match.
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String sendAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String expiresAt,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String priority) {

  /** A request sent now, at normal priority, never expiring. */
  public SendEmailRequest(
      @Nullable EmailAddress from,
      @Nullable List<@Nullable EmailAddress> to,
      @Nullable List<@Nullable EmailAddress> cc,
      @Nullable List<@Nullable EmailAddress> bcc,
      @Nullable List<@Nullable EmailAddress> replyTo,
      @Nullable String subject,
      @Nullable String html,
      @Nullable String text,
      @Nullable String template,
      @Nullable Map<String, @Nullable Object> variables,
      @Nullable String locale,
      @Nullable List<@Nullable String> tags,
      @Nullable Map<String, @Nullable String> metadata) {
    this(
        from, to, cc, bcc, replyTo, subject, html, text, template, variables, locale, tags,
        metadata, null, null, null);
  }

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
