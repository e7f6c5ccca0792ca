package dev.mailroom.relay;

import dev.mailroom.relay.PipeliningTransport.MailTransaction;
import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SendResult.RecipientResult;
import jakarta.mail.AuthenticationFailedException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.angus.mail.util.MailConnectException;
import org.jspecify.annotations.Nullable;

/**
 * Turns what the SMTP transport reported into a {@link SendResult}: the one place that decides
 * transient versus permanent. 2xx is delivered, 4xx and every failure without a reply (refused
 * connection, timeout, TLS or authentication trouble) are transient, 5xx is permanent. RCPT replies
 * are per recipient: one rejected address never fails the others. It also decides whether the
 * relay, rather than the message, failed, and reads any delay a transient reply asks for.
 */
final class SendClassifier {

  private SendClassifier() {}

  /**
   * Nothing was sent, for a reason that is not the relay's (its pool or rate limit was saturated,
   * every circuit is open, no recipient is left or one cannot be read as an address): deferred, and
   * not counted against the relay.
   */
  static SendResult notSent(List<String> recipients, String why, String relay, Duration duration) {
    SmtpReply reply = SmtpReply.noReply(why);
    return new SendResult(
        Outcome.DEFERRED,
        reply,
        SendResult.all(recipients, RecipientOutcome.DEFERRED, reply),
        relay,
        duration);
  }

  static SendResult classify(
      List<String> recipients, Exception failure, String relay, Duration duration) {
    // No reply about this message: the connection, greeting, STARTTLS or AUTH failed, or the
    // session broke during the transaction. Whatever the code, that is the relay's problem and the
    // email is retried.
    SmtpReply reply = replyWithoutRecipients(failure);
    return new SendResult(
        Outcome.DEFERRED,
        reply,
        SendResult.all(recipients, RecipientOutcome.DEFERRED, reply),
        relay,
        duration,
        RetryHint.of(reply).orElse(null),
        null,
        true);
  }

  /**
   * The relay's replies to one transaction. A refused MAIL FROM speaks for every recipient; each
   * RCPT reply speaks for its recipient; a refused DATA or end of data speaks for every recipient
   * the relay had accepted, and the refused ones keep their own reply.
   */
  static SendResult of(
      List<String> recipients, MailTransaction replies, String relay, Duration duration) {
    Map<String, RecipientResult> results = new LinkedHashMap<>();
    if (!replies.mail().isPositive()) {
      SmtpReply refusal = replies.mail();
      RecipientResult each = new RecipientResult(recipientOutcome(refusal), refusal);
      recipients.forEach(recipient -> results.put(recipient, each));
      return result(refusal, results, isRelayLevel(refusal, "MAIL"), relay, duration);
    }
    boolean relayFailure = false;
    for (int i = 0; i < recipients.size(); i++) {
      SmtpReply reply = replies.recipients().get(i);
      results.put(recipients.get(i), new RecipientResult(recipientOutcome(reply), reply));
      relayFailure |= isRelayLevel(reply, "RCPT");
    }
    SmtpReply messageReply;
    String command;
    if (results.values().stream().noneMatch(r -> r.outcome() == RecipientOutcome.ACCEPTED)) {
      // No DATA, or a DATA refused for want of recipients: each carries its own reply.
      messageReply = replies.recipients().get(0);
      command = "RCPT";
    } else if (replies.end() == null) {
      messageReply = Objects.requireNonNull(replies.data(), "DATA follows an accepted RCPT");
      command = "DATA";
    } else {
      messageReply = replies.end();
      command = ".";
    }
    if (messageReply.code() >= 400) {
      RecipientResult refused = new RecipientResult(recipientOutcome(messageReply), messageReply);
      results.replaceAll((recipient, r) -> r.outcome() == RecipientOutcome.ACCEPTED ? refused : r);
    }
    relayFailure |= isRelayLevel(messageReply, command);
    return result(messageReply, results, relayFailure, relay, duration);
  }

  private static SendResult result(
      SmtpReply messageReply,
      Map<String, RecipientResult> results,
      boolean relayFailure,
      String relay,
      Duration duration) {
    return new SendResult(
        overall(results.values()),
        messageReply,
        results,
        relay,
        duration,
        retryAfter(messageReply, results.values()),
        null,
        relayFailure);
  }

  /**
   * Replies that speak for the relay rather than for this message or a recipient: 421 (the relay is
   * closing the connection), 454 (TLS or authentication temporarily unavailable), 451 to MAIL FROM
   * (the relay cannot take mail at all just now), and 530/535 (our credentials). Another relay may
   * well take the message; recipient-level replies, 5xx included, never say anything about the
   * relay.
   */
  private static boolean isRelayLevel(SmtpReply reply, @Nullable String command) {
    return switch (reply.code()) {
      case 421, 454, 530, 535 -> true;
      case 451 -> command != null && command.regionMatches(true, 0, "MAIL", 0, 4);
      default -> false;
    };
  }

  /** The longest delay any transient reply of this attempt asked for. */
  private static @Nullable Duration retryAfter(
      SmtpReply messageReply, Iterable<RecipientResult> results) {
    Duration longest = RetryHint.of(messageReply).orElse(null);
    for (RecipientResult result : results) {
      if (result.outcome() == RecipientOutcome.DEFERRED) {
        Duration hint = RetryHint.of(result.reply()).orElse(null);
        if (hint != null && (longest == null || hint.compareTo(longest) > 0)) {
          longest = hint;
        }
      }
    }
    return longest;
  }

  private static RecipientOutcome recipientOutcome(SmtpReply reply) {
    if (reply.isPositive()) {
      return RecipientOutcome.ACCEPTED;
    }
    if (reply.code() == 530 || reply.code() == 535) {
      // The relay wants credentials it did not get: nothing final about this address.
      return RecipientOutcome.DEFERRED;
    }
    return reply.isPermanent() ? RecipientOutcome.REJECTED : RecipientOutcome.DEFERRED;
  }

  private static Outcome overall(Iterable<RecipientResult> results) {
    boolean deferred = false;
    for (RecipientResult result : results) {
      if (result.outcome() == RecipientOutcome.ACCEPTED) {
        return Outcome.SENT;
      }
      deferred |= result.outcome() == RecipientOutcome.DEFERRED;
    }
    return deferred ? Outcome.DEFERRED : Outcome.FAILED;
  }

  /** Failures before any recipient was named: connection, TLS, authentication, greeting. */
  private static SmtpReply replyWithoutRecipients(Exception failure) {
    if (failure instanceof AuthenticationFailedException auth) {
      SmtpReply reply = SmtpReply.parse(auth.getMessage());
      // A 535 is the relay refusing our credentials: a relay problem, never the email's fault.
      return reply.code() == 0 ? new SmtpReply(535, null, reply.text()) : reply;
    }
    if (failure instanceof MailConnectException connect) {
      return SmtpReply.noReply(
          "could not connect to "
              + connect.getHost()
              + ":"
              + connect.getPort()
              + ": "
              + rootMessage(connect));
    }
    if (hasCause(failure, SocketTimeoutException.class)) {
      return SmtpReply.noReply("timed out waiting for the relay: " + rootMessage(failure));
    }
    SmtpReply parsed = SmtpReply.parse(failure.getMessage());
    return parsed.code() >= 400 ? parsed : SmtpReply.noReply(rootMessage(failure));
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String own = failure.getMessage();
    if (root == failure || message == null) {
      return String.valueOf(own);
    }
    return own == null || own.equals(message) ? message : own + " (" + message + ")";
  }
}
