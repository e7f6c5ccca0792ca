package dev.mailroom.delivery;

import dev.mailroom.delivery.EmailClaims.Recorded;
import dev.mailroom.event.EmailEvent;
import dev.mailroom.event.EmailEventType;
import dev.mailroom.relay.SendResult;
import dev.mailroom.relay.SmtpReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The event each written result is: sent, deferred, failed or expired, with the attempt's SMTP
 * reply and each recipient's outcome in this attempt. An expired email is FAILED with reason
 * EXPIRED and announced as {@code email.expired}.
 */
final class SettlementEvents {

  private SettlementEvents() {}

  static List<EmailEvent> of(List<Recorded> written) {
    List<EmailEvent> events = new ArrayList<>(written.size());
    for (Recorded r : written) {
      events.add(event(r));
    }
    return events;
  }

  private static EmailEvent event(Recorded r) {
    Settlement s = r.settlement();
    Map<String, @Nullable Object> data = new LinkedHashMap<>();
    data.put("status", s.status().name());
    data.put("attempt", r.email().attempts());
    SendResult result = r.result();
    if (result != null) {
      data.put("relay", result.relay());
      reply(data, result.reply());
    }
    if (s.dueAt() != null) {
      data.put("nextAttemptAt", s.dueAt().toString());
    }
    if (s.failureReason() != null) {
      data.put("reason", s.failureReason());
      data.put("detail", s.failureDetail());
    }
    List<Map<String, @Nullable Object>> recipients = new ArrayList<>();
    for (Settlement.RecipientUpdate u : s.recipients()) {
      Map<String, @Nullable Object> recipient = new LinkedHashMap<>();
      recipient.put("email", address(r.email(), u.position()));
      recipient.put("status", u.status().name());
      reply(recipient, u.reply());
      recipients.add(recipient);
    }
    data.put("recipients", recipients);
    return EmailEvent.of(r.email().project(), r.email().id(), type(s), r.startedAt(), data);
  }

  private static EmailEventType type(Settlement s) {
    return switch (s.status()) {
      case SENT -> EmailEventType.SENT;
      case DEFERRED -> EmailEventType.DEFERRED;
      default ->
          Settlement.EXPIRED.equals(s.failureReason())
              ? EmailEventType.EXPIRED
              : EmailEventType.FAILED;
    };
  }

  private static void reply(Map<String, @Nullable Object> data, SmtpReply reply) {
    if (reply.code() > 0) {
      data.put("smtpCode", reply.code());
    }
    if (reply.enhancedCode() != null) {
      data.put("enhancedCode", reply.enhancedCode());
    }
    data.put("diagnostic", reply.text());
  }

  private static @Nullable String address(ClaimedEmail email, int position) {
    for (ClaimedEmail.Recipient recipient : email.recipients()) {
      if (recipient.position() == position) {
        return recipient.address();
      }
    }
    return null;
  }
}
