package dev.mailroom.relay;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Angus Mail's SMTP transport, with the mail transaction run here instead of by {@link
 * SMTPTransport#sendMessage}. Connecting, EHLO, STARTTLS, AUTH, NOOP and QUIT stay Angus Mail's.
 *
 * <ul>
 *   <li>When the relay offers PIPELINING (RFC 2920), MAIL, every RCPT and DATA go out together and
 *       their replies are read after: a message takes two round trips, not three and one more per
 *       recipient.
 *   <li>Every reply is returned, not thrown: {@code sendMessage} reports each recipient's reply as
 *       an exception, and the accepted message as one more.
 *   <li>The stored bytes go out as they are, dot-stuffed, without being parsed into a message
 *       first.
 * </ul>
 *
 * A reply that is no SMTP reply (the relay closed the connection, or answered with something that
 * has no reply code) fails the session: {@link #send} throws, and the connection is not used again.
 */
final class PipeliningTransport extends SMTPTransport {

  private static final Logger log = LoggerFactory.getLogger(PipeliningTransport.class);

  /**
   * DATA went out in the pipelined group and was answered 354: {@link SMTPTransport#data} then
   * neither sends it again nor reads another reply, and only opens the stream for the message.
   */
  private boolean dataAnswered;

  PipeliningTransport(Session session, String protocol) {
    super(
        session,
        new URLName(protocol, null, -1, null, null, null),
        protocol,
        "smtps".equals(protocol));
  }

  /**
   * One mail transaction: the envelope sender, each recipient and the message. When the relay
   * refuses the transaction before the message is accepted, the session is reset (RSET) for the
   * next one.
   *
   * @throws MessagingException when the session failed below SMTP: the connection broke, timed out
   *     or carried something that is not an SMTP reply
   */
  synchronized MailTransaction send(String from, List<String> recipients, byte[] message)
      throws MessagingException {
    checkConnected();
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("a mail transaction needs a recipient");
    }
    String mail = "MAIL FROM:" + angled(from);
    MailTransaction.Builder replies = new MailTransaction.Builder();
    if (supportsExtension("PIPELINING")) {
      List<String> group = new ArrayList<>(recipients.size() + 2);
      group.add(mail);
      for (String recipient : recipients) {
        group.add("RCPT TO:" + angled(recipient));
      }
      group.add("DATA");
      sendGroup(group);
      replies.mail(reply());
      for (int i = 0; i < recipients.size(); i++) {
        replies.recipient(reply());
      }
      replies.data(reply());
    } else {
      sendCommand(mail);
      replies.mail(reply());
      if (!replies.mailAccepted()) {
        return reset(replies.build());
      }
      for (String recipient : recipients) {
        sendCommand("RCPT TO:" + angled(recipient));
        replies.recipient(reply());
      }
      if (!replies.anyRecipientAccepted()) {
        return reset(replies.build());
      }
      sendCommand("DATA");
      replies.data(reply());
    }
    boolean sendMessage = replies.mailAccepted() && replies.anyRecipientAccepted();
    if (replies.dataCode() != 354) {
      return reset(replies.build());
    }
    // A relay may answer 354 to a pipelined DATA after refusing MAIL or every RCPT (RFC 2920,
    // 3.1): the data is then ended at once, and the message is not sent.
    writeData(sendMessage ? message : new byte[0]);
    replies.end(reply());
    MailTransaction done = replies.build();
    return sendMessage && done.completed() ? done : reset(done);
  }

  /**
   * Sends a pipelined group in one write, so in one segment as far as it fits. Sent command by
   * command, each its own segment (the socket has TCP_NODELAY), the group can reach a relay a
   * command at a time. It then answers each in a segment of its own, and a relay that writes with
   * Nagle's algorithm on (Postfix's {@code smtp-sink} does) holds every reply after the first until
   * the client acknowledges the one before: the client's delayed acknowledgement, 40 ms later on
   * Linux. Seen in captures of light load, where one send in a hundred took 40-48 ms instead of 1.
   *
   * <p>The commands before the last are written to the session's buffered stream, unflushed; the
   * last is sent as Angus Mail sends a command, and its flush sends them all. (That stream
   * dot-stuffs, which leaves MAIL and RCPT lines as they are: none starts with a dot.) Angus Mail
   * refuses a command with a line break in it; a command here that is not plain printable ASCII
   * goes through Angus Mail on its own, to be refused or encoded as it decides.
   */
  private void sendGroup(List<String> commands) throws MessagingException {
    List<String> first = commands.subList(0, commands.size() - 1);
    if (first.stream().allMatch(PipeliningTransport::printableAscii)) {
      OutputStream session = sessionStream();
      try {
        for (String command : first) {
          session.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException e) {
        throw new MessagingException("Can't send command to SMTP host", e);
      }
    } else {
      for (String command : first) {
        sendCommand(command);
      }
    }
    sendCommand(commands.get(commands.size() - 1));
  }

  private static boolean printableAscii(String command) {
    return command.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  /**
   * The session's output as Angus Mail gives it for a message after DATA (without sending DATA: see
   * {@link #dataAnswered}): its buffered stream to the relay, which it flushes when it next sends a
   * command.
   */
  private OutputStream sessionStream() throws MessagingException {
    dataAnswered = true;
    try {
      return data();
    } finally {
      dataAnswered = false;
    }
  }

  private void writeData(byte[] message) throws MessagingException {
    OutputStream data = sessionStream();
    try {
      data.write(message);
      ((SMTPOutputStream) data).ensureAtBOL();
    } catch (IOException e) {
      throw new MessagingException("the message could not be written to the relay", e);
    }
    sendCommand(".");
  }

  @Override
  protected void sendCommand(String command) throws MessagingException {
    if (dataAnswered && "DATA".equals(command)) {
      return;
    }
    super.sendCommand(command);
  }

  @Override
  protected int readServerResponse() throws MessagingException {
    if (dataAnswered) {
      return 354;
    }
    return super.readServerResponse();
  }

  private SmtpReply reply() throws MessagingException {
    int code = readServerResponse();
    String response = getLastServerResponse();
    if (code < 200 || code > 599) {
      throw new MessagingException(
          "the relay's reply is not an SMTP reply: " + SmtpReply.parse(response).text());
    }
    return SmtpReply.of(code, response);
  }

  /** RSET after a refused transaction; a session it fails on is found out before reuse. */
  private MailTransaction reset(MailTransaction refused) {
    try {
      sendCommand("RSET");
      readServerResponse();
    } catch (MessagingException e) {
      log.debug("RSET after a refused transaction failed", e);
    }
    return refused;
  }

  /** As Angus Mail writes an address in MAIL and RCPT: in angle brackets, unless it has them. */
  private static String angled(String address) {
    return address.startsWith("<") || address.endsWith(">") ? address : "<" + address + ">";
  }

  /**
   * The relay's replies to one mail transaction, in the order they came.
   *
   * @param mail the reply to MAIL FROM
   * @param recipients the replies to RCPT TO, one per recipient in order; empty when MAIL was
   *     refused and the relay does not pipeline, so no RCPT was sent
   * @param data the reply to DATA; null when DATA was not sent
   * @param end the reply to the message's final "."; null when no message was sent
   */
  record MailTransaction(
      SmtpReply mail,
      List<SmtpReply> recipients,
      @Nullable SmtpReply data,
      @Nullable SmtpReply end) {

    /** The relay took the message. */
    boolean completed() {
      return end != null && end.isPositive();
    }

    private static final class Builder {
      private @Nullable SmtpReply mail;
      private final List<SmtpReply> recipients = new ArrayList<>();
      private @Nullable SmtpReply data;
      private @Nullable SmtpReply end;

      void mail(SmtpReply reply) {
        mail = reply;
      }

      void recipient(SmtpReply reply) {
        recipients.add(reply);
      }

      void data(SmtpReply reply) {
        data = reply;
      }

      void end(SmtpReply reply) {
        end = reply;
      }

      boolean mailAccepted() {
        return mail != null && mail.isPositive();
      }

      boolean anyRecipientAccepted() {
        return recipients.stream().anyMatch(SmtpReply::isPositive);
      }

      int dataCode() {
        return data == null ? 0 : data.code();
      }

      MailTransaction build() {
        if (mail == null) {
          throw new IllegalStateException("no reply to MAIL");
        }
        return new MailTransaction(mail, List.copyOf(recipients), data, end);
      }
    }
  }
}
