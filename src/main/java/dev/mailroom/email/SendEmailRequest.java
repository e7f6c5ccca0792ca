package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code POST /emails}. Content is either a template with its variables, or a ready
 * subject with html and/or text. {@code attachments} and {@code headers} go into the message as
 * given, once checked.
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
    @Nullable List<@Nullable Attachment> attachments,
    @Nullable Map<String, @Nullable String> headers) {

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
