package dev.mailroom.template;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Builds the RFC 5322 message once, at intake: multipart/alternative with a text and an HTML part,
 * UTF-8 throughout, RFC 2047 encoded words for non-ASCII headers, our own Message-ID and Date. The
 * bytes returned are stored and sent unchanged on every attempt. Bcc is never written into the
 * message; it lives in the envelope only.
 */
@Component
public class MimeComposer {

  private static final String UTF_8 = StandardCharsets.UTF_8.name();

  private final Session session = Session.getInstance(new Properties());

  /**
   * @param text the plain-text part; when null it is derived from the HTML
   */
  public record Draft(
      InternetAddress from,
      List<InternetAddress> to,
      List<InternetAddress> cc,
      List<InternetAddress> replyTo,
      String subject,
      @Nullable String html,
      @Nullable String text,
      String messageId,
      Instant date) {}

  public byte[] compose(Draft draft) {
    try {
      MimeMessage message = new FixedIdMessage(session, draft.messageId());
      message.setFrom(draft.from());
      if (!draft.to().isEmpty()) {
        message.setRecipients(RecipientType.TO, draft.to().toArray(InternetAddress[]::new));
      }
      if (!draft.cc().isEmpty()) {
        message.setRecipients(RecipientType.CC, draft.cc().toArray(InternetAddress[]::new));
      }
      if (!draft.replyTo().isEmpty()) {
        message.setReplyTo(draft.replyTo().toArray(InternetAddress[]::new));
      }
      message.setSubject(draft.subject(), UTF_8);
      message.setSentDate(Date.from(draft.date()));
      String html = draft.html();
      String text =
          draft.text() != null ? draft.text() : html == null ? "" : HtmlToText.convert(html);
      if (html == null) {
        message.setText(text, UTF_8, "plain");
      } else {
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(part(text, "plain"));
        alternative.addBodyPart(part(html, "html"));
        message.setContent(alternative);
      }
      message.saveChanges();
      ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
      message.writeTo(out);
      return out.toByteArray();
    } catch (MessagingException e) {
      throw new IllegalStateException("Could not build the message " + draft.messageId(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MimeBodyPart part(String content, String subtype) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    part.setText(content, UTF_8, subtype);
    return part;
  }

  /** Keeps the Message-ID chosen at intake instead of one made from the local host name. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String messageId;

    FixedIdMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }
}
