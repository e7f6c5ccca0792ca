package dev.mailroom.message;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.message.MimeComposer.Draft;
import dev.mailroom.system.MailStreams;
import jakarta.activation.DataHandler;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The composer as it was when Jakarta Mail built every message ({@code MimeMessage}, {@code
 * MimeMultipart}, {@code saveChanges}, {@code writeTo}): kept in the tests as the reference that
 * {@link MimeComposer} must match byte for byte on any draft, not only on the golden ones.
 */
final class JakartaMailComposer {

  private static final String UTF_8 = StandardCharsets.UTF_8.name();
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

  static {
    MailStreams.nameProvider();
  }

  private final Session session = Session.getInstance(new Properties());

  public byte[] compose(Draft draft) {
    try {
      MimeMessage message = new FixedIdMessage(session, draft.messageId());
      message.setFrom(EncodedWords.literalName(draft.from()));
      if (!draft.to().isEmpty()) {
        message.setRecipients(RecipientType.TO, literalNames(draft.to()));
      }
      if (!draft.cc().isEmpty()) {
        message.setRecipients(RecipientType.CC, literalNames(draft.cc()));
      }
      if (!draft.replyTo().isEmpty()) {
        message.setReplyTo(literalNames(draft.replyTo()));
      }
      message.setHeader("Subject", EncodedWords.unstructured("Subject", draft.subject()));
      message.setSentDate(Date.from(draft.date()));
      for (Map.Entry<String, String> header : draft.headers().entrySet()) {
        message.addHeader(
            header.getKey(), EncodedWords.unstructured(header.getKey(), header.getValue()));
      }
      String html = draft.html();
      if (html != null) {
        html = crlf(html);
      }
      String text = crlf(draft.text());
      List<AttachedFile> inline =
          draft.attachments().stream().filter(AttachedFile::inline).toList();
      List<AttachedFile> files =
          draft.attachments().stream().filter(file -> !file.inline()).toList();
      if (html == null && inline.isEmpty() && files.isEmpty()) {
        message.setText(text, UTF_8, "plain");
      } else {
        MimeMultipart body = html == null ? null : alternative(text, html);
        if (!inline.isEmpty()) {
          body = related(body, inline);
        }
        if (!files.isEmpty()) {
          body = mixed(body == null ? part(text, "plain") : wrap(body), files);
        }
        message.setContent(body);
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

  /**
   * Every line break of a text part as CRLF. Jakarta Mail writes 7bit and 8bit parts as they are,
   * and a bare LF (what JSON text and templates hold) is no line break in a message: relays turn it
   * into CRLF on the way, so the bytes received would no longer be the bytes signed, and every DKIM
   * signature over the body would fail at the receiver.
   */
  static String crlf(String content) {
    return LINE_BREAK.matcher(content).replaceAll("\r\n");
  }

  private static MimeBodyPart part(String content, String subtype) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    part.setText(content, UTF_8, subtype);
    return part;
  }

  private static MimeMultipart alternative(String text, String html) throws MessagingException {
    MimeMultipart alternative = new MimeMultipart("alternative");
    alternative.addBodyPart(part(text, "plain"));
    alternative.addBodyPart(part(html, "html"));
    return alternative;
  }

  /** The HTML alternative and the parts it refers to by cid:, per RFC 2387. */
  private static MimeMultipart related(
      @Nullable MimeMultipart alternative, List<AttachedFile> inline) throws MessagingException {
    if (alternative == null) {
      throw new IllegalArgumentException("inline attachments need an html body");
    }
    MimeMultipart related = new RelatedMultipart(alternative.getContentType());
    related.addBodyPart(wrap(alternative));
    for (AttachedFile file : inline) {
      related.addBodyPart(attachment(file));
    }
    return related;
  }

  private static MimeMultipart mixed(MimeBodyPart body, List<AttachedFile> files)
      throws MessagingException {
    MimeMultipart mixed = new MimeMultipart("mixed");
    mixed.addBodyPart(body);
    for (AttachedFile file : files) {
      mixed.addBodyPart(attachment(file));
    }
    return mixed;
  }

  private static MimeBodyPart wrap(MimeMultipart multipart) throws MessagingException {
    MimeBodyPart part = new MimeBodyPart();
    part.setContent(multipart);
    return part;
  }

  /**
   * A base64 part holding the bytes unchanged. Content-Type and Content-Disposition are written
   * here rather than left to Jakarta Mail, so that the file name is always UTF-8 (see {@link
   * FileNameParameter}).
   */
  private static MimeBodyPart attachment(AttachedFile file) throws MessagingException {
    ContentType type = new ContentType(file.contentType());
    if (type.getParameterList() != null) {
      type.getParameterList().remove("name");
    }
    MimeBodyPart part = new MimeBodyPart();
    part.setDataHandler(
        new DataHandler(new ByteArrayDataSource(file.content(), type.getBaseType())));
    part.setHeader("Content-Type", type + FileNameParameter.format("name", file.filename()));
    part.setHeader("Content-Transfer-Encoding", "base64");
    part.setHeader(
        "Content-Disposition",
        (file.inline() ? MimeBodyPart.INLINE : MimeBodyPart.ATTACHMENT)
            + FileNameParameter.format("filename", file.filename()));
    if (file.contentId() != null) {
      part.setContentID("<" + file.contentId() + ">");
    }
    return part;
  }

  private static InternetAddress[] literalNames(List<InternetAddress> addresses) {
    return addresses.stream().map(EncodedWords::literalName).toArray(InternetAddress[]::new);
  }

  /** multipart/related with the type of its root part, which RFC 2387 requires. */
  private static final class RelatedMultipart extends MimeMultipart {
    RelatedMultipart(String rootType) throws MessagingException {
      super("related");
      ContentType type = new ContentType(contentType);
      type.setParameter("type", new ContentType(rootType).getBaseType());
      contentType = type.toString();
    }
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
