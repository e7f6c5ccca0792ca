package dev.mailroom.email;

import dev.mailroom.email.EmailRepository.NewRecipient;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A valid request's addresses as they go on the wire, each converted once: the header addresses for
 * the message, and every recipient (Bcc included) for the envelope.
 */
record WireAddresses(
    InternetAddress from,
    List<InternetAddress> to,
    List<InternetAddress> cc,
    List<InternetAddress> replyTo,
    List<NewRecipient> recipients) {

  /**
   * @param defaultFrom the sender when the request names none (the validator refuses a request with
   *     neither)
   */
  static WireAddresses of(SendEmailRequest request, @Nullable EmailAddress defaultFrom) {
    EmailAddress from =
        request.from() != null
            ? request.from()
            : Objects.requireNonNull(defaultFrom, "a validated request has a sender");
    List<NewRecipient> recipients = new ArrayList<>();
    List<InternetAddress> to = recipients(request.toOrEmpty(), RecipientKind.TO, recipients);
    List<InternetAddress> cc = recipients(request.ccOrEmpty(), RecipientKind.CC, recipients);
    recipients(request.bccOrEmpty(), RecipientKind.BCC, recipients);
    return new WireAddresses(
        wire(from),
        to,
        cc,
        request.replyToOrEmpty().stream().map(WireAddresses::wire).toList(),
        List.copyOf(recipients));
  }

  private static List<InternetAddress> recipients(
      List<EmailAddress> addresses, RecipientKind kind, List<NewRecipient> into) {
    List<InternetAddress> wire = new ArrayList<>(addresses.size());
    for (EmailAddress address : addresses) {
      InternetAddress converted = wire(address);
      wire.add(converted);
      into.add(new NewRecipient(kind, converted.getAddress(), address.name()));
    }
    return wire;
  }

  /** IDN domains in their ASCII form, lower case; the display name encoded in UTF-8. */
  private static InternetAddress wire(EmailAddress address) {
    String email = address.email();
    int at = email.lastIndexOf('@');
    String ascii =
        email.substring(0, at + 1) + IDN.toASCII(email.substring(at + 1)).toLowerCase(Locale.ROOT);
    try {
      return new InternetAddress(ascii, address.name(), StandardCharsets.UTF_8.name());
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
