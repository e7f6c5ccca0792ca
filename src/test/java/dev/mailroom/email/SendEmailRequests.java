package dev.mailroom.email;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Requests for {@code POST /emails} as tests build them in code, naming only the fields they set;
 * every other field is absent, as in a JSON body that leaves it out.
 *
 * <pre>{@code
 * SendEmailRequests.to("jane@example.com").subject("Hello").text("Hi Jane").build()
 * }</pre>
 */
public final class SendEmailRequests {

  private SendEmailRequests() {}

  /** A request to these recipients, in the string forms {@code POST /emails} accepts. */
  public static Builder to(String... addresses) {
    return new Builder().to(addresses);
  }

  /** Collects the fields of one {@link SendEmailRequest}; lists given twice are appended to. */
  public static final class Builder {
    private @Nullable EmailAddress from;
    private @Nullable List<@Nullable EmailAddress> to;
    private @Nullable List<@Nullable EmailAddress> cc;
    private @Nullable List<@Nullable EmailAddress> bcc;
    private @Nullable List<@Nullable EmailAddress> replyTo;
    private @Nullable String subject;
    private @Nullable String html;
    private @Nullable String text;
    private @Nullable String template;
    private @Nullable Map<String, @Nullable Object> variables;
    private @Nullable String locale;
    private @Nullable List<@Nullable String> tags;
    private @Nullable Map<String, @Nullable String> metadata;
    private @Nullable List<@Nullable Attachment> attachments;
    private @Nullable Map<String, @Nullable String> headers;
    private @Nullable String sendAt;
    private @Nullable String expiresAt;
    private @Nullable String priority;

    private Builder() {}

    public Builder from(String address) {
      this.from = EmailAddress.parse(address);
      return this;
    }

    public Builder to(String... addresses) {
      this.to = append(this.to, addresses);
      return this;
    }

    public Builder cc(String... addresses) {
      this.cc = append(this.cc, addresses);
      return this;
    }

    public Builder bcc(String... addresses) {
      this.bcc = append(this.bcc, addresses);
      return this;
    }

    public Builder replyTo(String... addresses) {
      this.replyTo = append(this.replyTo, addresses);
      return this;
    }

    public Builder subject(String subject) {
      this.subject = subject;
      return this;
    }

    public Builder html(String html) {
      this.html = html;
      return this;
    }

    public Builder text(String text) {
      this.text = text;
      return this;
    }

    /** Content from a template instead of subject, html and text. */
    public Builder template(String name, Map<String, ?> variables) {
      this.template = name;
      this.variables = new LinkedHashMap<>(variables);
      return this;
    }

    public Builder locale(String locale) {
      this.locale = locale;
      return this;
    }

    public Builder tags(String... tags) {
      List<@Nullable String> all = this.tags == null ? new ArrayList<>() : this.tags;
      all.addAll(Arrays.asList(tags));
      this.tags = all;
      return this;
    }

    public Builder metadata(String key, String value) {
      Map<String, @Nullable String> all = this.metadata == null ? new LinkedHashMap<>() : metadata;
      all.put(key, value);
      this.metadata = all;
      return this;
    }

    public Builder attachment(Attachment attachment) {
      List<@Nullable Attachment> all =
          this.attachments == null ? new ArrayList<>() : this.attachments;
      all.add(attachment);
      this.attachments = all;
      return this;
    }

    public Builder header(String name, String value) {
      Map<String, @Nullable String> all = this.headers == null ? new LinkedHashMap<>() : headers;
      all.put(name, value);
      this.headers = all;
      return this;
    }

    /** Sent at this instant; absent when null. */
    public Builder sendAt(@Nullable Instant sendAt) {
      this.sendAt = sendAt == null ? null : sendAt.toString();
      return this;
    }

    /** Never sent at or after this instant; absent when null. */
    public Builder expiresAt(@Nullable Instant expiresAt) {
      this.expiresAt = expiresAt == null ? null : expiresAt.toString();
      return this;
    }

    /** high, normal or low, as in the JSON body; absent when null. */
    public Builder priority(@Nullable String priority) {
      this.priority = priority;
      return this;
    }

    /** The request; building it again after further calls gives a second, independent one. */
    public SendEmailRequest build() {
      return new SendEmailRequest(
          from,
          copy(to),
          copy(cc),
          copy(bcc),
          copy(replyTo),
          subject,
          html,
          text,
          template,
          copy(variables),
          locale,
          copy(tags),
          copy(metadata),
          copy(attachments),
          copy(headers),
          sendAt,
          expiresAt,
          priority);
    }

    private static <T> @Nullable List<T> copy(@Nullable List<T> list) {
      return list == null ? null : new ArrayList<>(list);
    }

    private static <V> @Nullable Map<String, V> copy(@Nullable Map<String, V> map) {
      return map == null ? null : new LinkedHashMap<>(map);
    }

    private static List<@Nullable EmailAddress> append(
        @Nullable List<@Nullable EmailAddress> list, String... addresses) {
      List<@Nullable EmailAddress> all = list == null ? new ArrayList<>() : list;
      for (String address : addresses) {
        all.add(EmailAddress.parse(address));
      }
      return all;
    }
  }
}
