package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SendResult.RecipientOutcome;
import dev.mailroom.relay.SendResult.RecipientResult;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
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

  /** The transport returned without an exception: every recipient was accepted. */
  static SendResult accepted(
      List<String> recipients, SmtpReply dataReply, String relay, Duration duration) {
    return new SendResult(
        Outcome.SENT,
        dataReply,
        SendResult.all(recipients, RecipientOutcome.ACCEPTED, dataReply),
        relay,
        duration);
  }

  /**
   * Nothing was sent, for a reason that is not the relay's (its pool or rate limit was saturated,
   * every circuit is open, the stored message is unusable): deferred, and not counted against the
   * relay.
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
    if (failure instanceof SendFailedException sendFailed) {
      return fromSendFailure(recipients, sendFailed, relay, duration);
    }
    // Nothing about this message was refused yet: the connection, greeting, STARTTLS or AUTH
    // failed. Whatever the code, that is the relay's problem and the email is retried.
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

  private static SendResult fromSendFailure(
      List<String> recipients, SendFailedException failure, String relay, Duration duration) {
    Map<String, RecipientResult> perAddress = rcptReplies(failure);
    SmtpReply messageReply;
    RecipientOutcome unreported;
    boolean relayFailure = false;
    if (failure instanceof SMTPSendFailedException smtp) {
      // MAIL FROM, DATA or end-of-data: the reply concerns the whole message.
      messageReply = SmtpReply.of(smtp.getReturnCode(), smtp.getMessage());
      relayFailure = isRelayLevel(messageReply, smtp.getCommand());
      unreported = recipientOutcome(messageReply);
    } else {
      // No RCPT was accepted, so no DATA was sent: each address carries its own reply.
      messageReply =
          perAddress.values().stream()
              .map(RecipientResult::reply)
              .findFirst()
              .orElse(SmtpReply.noReply(String.valueOf(failure.getMessage())));
      unreported = RecipientOutcome.DEFERRED;
    }
    Map<String, RecipientResult> results = new LinkedHashMap<>();
    for (String recipient : recipients) {
      RecipientResult reported = perAddress.get(recipient.toLowerCase(java.util.Locale.ROOT));
      if (reported != null
          && !(messageReply.code() >= 400 && reported.outcome() == RecipientOutcome.ACCEPTED)) {
        results.put(recipient, reported);
      } else {
        results.put(recipient, new RecipientResult(unreported, messageReply));
      }
    }
    relayFailure |= perAddress.values().stream().anyMatch(r -> isRelayLevel(r.reply(), "RCPT"));
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

  /** The RCPT replies the transport chained onto the exception, keyed by lower-case address. */
  private static Map<String, RecipientResult> rcptReplies(MessagingException failure) {
    Map<String, RecipientResult> replies = new LinkedHashMap<>();
    Exception next = failure.getNextException();
    while (next != null) {
      if (next instanceof SMTPAddressSucceededException ok) {
        SmtpReply reply = SmtpReply.of(ok.getReturnCode(), ok.getMessage());
        replies.put(key(ok.getAddress()), new RecipientResult(RecipientOutcome.ACCEPTED, reply));
      } else if (next instanceof SMTPAddressFailedException rejected) {
        SmtpReply reply = SmtpReply.of(rejected.getReturnCode(), rejected.getMessage());
        replies.put(
            key(rejected.getAddress()), new RecipientResult(recipientOutcome(reply), reply));
      }
      next = next instanceof MessagingException chained ? chained.getNextException() : null;
    }
    return replies;
  }

  private static String key(InternetAddress address) {
    return address.getAddress().toLowerCase(java.util.Locale.ROOT);
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
