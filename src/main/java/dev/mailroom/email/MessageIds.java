package dev.mailroom.email;

import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Message-IDs of our own domain, {@code <email-id@domain>}: stable across retries, so receivers can
 * drop a duplicate. The domain is read once, at startup, which fails when there is none.
 */
@Component
class MessageIds {

  private final String domain;

  MessageIds(EmailSettings settings) {
    this.domain = domain(settings);
  }

  String of(UUID id) {
    return "<" + id + "@" + domain + ">";
  }

  private static String domain(EmailSettings settings) {
    if (settings.messageIdDomain() != null && !settings.messageIdDomain().isBlank()) {
      return settings.messageIdDomain();
    }
    if (settings.defaultFrom() != null) {
      String email = EmailAddress.parse(settings.defaultFrom()).email();
      if (email != null && email.contains("@")) {
        return email.substring(email.lastIndexOf('@') + 1);
      }
    }
    throw new IllegalStateException(
        "Set mailroom.email.message-id-domain (MAILROOM_EMAIL_MESSAGE_ID_DOMAIN) or mailroom.email.default-from:"
            + " every Message-ID needs a domain of yours");
  }
}
