package dev.mailroom.message;

import dev.mailroom.system.MailStreams;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.util.BASE64EncoderStream;
import org.eclipse.angus.mail.util.QPEncoderStream;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Builds the RFC 5322 message once, at intake: multipart/alternative with a text and an HTML part,
 * UTF-8 throughout, RFC 2047 encoded words for non-ASCII headers (and for text that would read as
 * one, see {@link EncodedWords}), our own Message-ID and Date. The bytes returned are stored and
 * sent unchanged on every attempt. Bcc is never written into the message; it lives in the envelope
 * only.
 *
 * <p>Attachments wrap the body: inline ones (with a Content-ID) in a multipart/related around the
 * alternative, files in a multipart/mixed around that, so {@code mixed[related[alternative,
 * inline...], files...]} at most. Attachment parts are base64; their file names are RFC 2231
 * encoded in UTF-8 when they are not ASCII.
 *
 * <p>The bytes are written here, in the form Jakarta Mail's {@code MimeMessage} gives them: its
 * header order ({@link InternetHeaders}), address lists, parameter folding ({@link ContentType}),
 * boundaries, choice of transfer encoding and its own quoted-printable and base64 encoders. What is
 * left out is the object model around them: a {@code DataHandler} per part through which the
 * activation framework encoded every text twice, once to choose its transfer encoding and once to
 * write it, a header block and a stream-provider lookup per part, and a date format shared by all
 * threads under one lock. The tests hold the two side by side on random drafts.
 */
@Component
public class MimeComposer {

  static {
    // Named here, before any bean builds or parses a message through Jakarta Mail's streams: the
    // bounce parser names no provider of its own.
    MailStreams.nameProvider();
  }

  private final DateFields dates = new DateFields();

  /**
   * @param text the plain-text part, decided by the caller (see {@code template.HtmlToText}): the
   *     composer only assembles the parts it is given
   * @param attachments files and inline parts, in the order they are given
   * @param headers the caller's own header fields, checked already; non-ASCII values are encoded
   */
  public record Draft(
      InternetAddress from,
      List<InternetAddress> to,
      List<InternetAddress> cc,
      List<InternetAddress> replyTo,
      String subject,
      @Nullable String html,
      String text,
      String messageId,
      Instant date,
      List<AttachedFile> attachments,
      Map<String, String> headers) {

    public Draft(
        InternetAddress from,
        List<InternetAddress> to,
        List<InternetAddress> cc,
        List<InternetAddress> replyTo,
        String subject,
        @Nullable String html,
        String text,
        String messageId,
        Instant date) {
      this(from, to, cc, replyTo, subject, html, text, messageId, date, List.of(), Map.of());
    }
  }

  /**
   * A file to attach, decoded.
   *
   * @param contentType a checked media type, possibly with parameters
   * @param contentId when not null the part is inline, with this Content-ID (without brackets)
   */
  public record AttachedFile(
      String filename, String contentType, byte[] content, @Nullable String contentId) {

    boolean inline() {
      return contentId != null;
    }
  }

  public byte[] compose(Draft draft) {
    try {
      Entity body = body(draft);
      MessageBytes out = new MessageBytes(body.sizeHint() + 1024);
      for (Enumeration<String> lines = fields(draft, body).getAllHeaderLines();
          lines.hasMoreElements(); ) {
        out.line(lines.nextElement());
      }
      out.crlf();
      body.writeContent(out);
      return out.toByteArray();
    } catch (MessagingException e) {
      throw new IllegalStateException("Could not build the message " + draft.messageId(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The message's header fields, in the order Jakarta Mail's {@link InternetHeaders} keeps them:
   * every known field in its place (In-Reply-To and References after Message-ID, Comments and
   * Keywords after Subject), any other in the order given after the content fields.
   */
  private InternetHeaders fields(Draft draft, Entity body) {
    InternetHeaders fields = new InternetHeaders();
    fields.setHeader("From", addressList("From", List.of(draft.from())));
    if (!draft.to().isEmpty()) {
      fields.setHeader("To", addressList("To", draft.to()));
    }
    if (!draft.cc().isEmpty()) {
      fields.setHeader("Cc", addressList("Cc", draft.cc()));
    }
    if (!draft.replyTo().isEmpty()) {
      fields.setHeader("Reply-To", addressList("Reply-To", draft.replyTo()));
    }
    fields.setHeader("Subject", EncodedWords.unstructured("Subject", draft.subject()));
    fields.setHeader("Date", dates.format(draft.date()));
    for (Map.Entry<String, String> header : draft.headers().entrySet()) {
      fields.addHeader(
          header.getKey(), EncodedWords.unstructured(header.getKey(), header.getValue()));
    }
    // The content's own fields replace any of the same name.
    fields.removeHeader("Content-Type");
    fields.removeHeader("Content-Transfer-Encoding");
    fields.setHeader("Content-Type", body.contentType());
    String encoding = body.encoding();
    if (encoding != null) {
      fields.setHeader("Content-Transfer-Encoding", encoding);
    }
    fields.setHeader("MIME-Version", "1.0");
    fields.setHeader("Message-ID", draft.messageId());
    return fields;
  }

  /** Jakarta Mail's address list: encoded display names, folded to follow {@code name + ": "}. */
  private static String addressList(String name, List<InternetAddress> addresses) {
    return InternetAddress.toString(
        addresses.stream().map(EncodedWords::literalName).toArray(Address[]::new),
        name.length() + 2);
  }

  private static Entity body(Draft draft) throws MessagingException {
    Text text = new Text("plain", draft.text());
    List<AttachedFile> inline = draft.attachments().stream().filter(AttachedFile::inline).toList();
    List<AttachedFile> files = draft.attachments().stream().filter(file -> !file.inline()).toList();
    String html = draft.html();
    if (html == null && inline.isEmpty() && files.isEmpty()) {
      return text;
    }
    Multipart body =
        html == null ? null : new Multipart("alternative", text, new Text("html", html));
    if (!inline.isEmpty()) {
      body = related(body, inline);
    }
    if (!files.isEmpty()) {
      List<Entity> parts = new ArrayList<>(files.size() + 1);
      parts.add(body == null ? text : body);
      for (AttachedFile file : files) {
        parts.add(new File(file));
      }
      body = new Multipart("mixed", parts);
    }
    return body;
  }

  /** The HTML alternative and the parts it refers to by cid:, per RFC 2387. */
  private static Multipart related(@Nullable Multipart alternative, List<AttachedFile> inline)
      throws MessagingException {
    if (alternative == null) {
      throw new IllegalArgumentException("inline attachments need an html body");
    }
    List<Entity> parts = new ArrayList<>(inline.size() + 1);
    parts.add(alternative);
    for (AttachedFile file : inline) {
      parts.add(new File(file));
    }
    // multipart/related names the type of its root part, which RFC 2387 requires.
    return new Multipart("related", parts, alternative.baseType());
  }

  /**
   * A MIME entity as a message or a body part: the fields that describe its content, and the
   * content in its transfer encoding.
   */
  private sealed interface Entity permits Text, File, Multipart {

    String contentType();

    /** The Content-Transfer-Encoding; none for a multipart, where RFC 2045 forbids all but 7bit. */
    @Nullable String encoding();

    /** The fields of this entity as a body part, each line ending in CRLF. */
    void writeFields(MessageBytes out) throws MessagingException;

    void writeContent(MessageBytes out) throws IOException, MessagingException;

    /** About the bytes this entity writes, so the buffer seldom grows. */
    int sizeHint();
  }

  /**
   * A text part in UTF-8 with every line break as CRLF, and the transfer encoding Jakarta Mail
   * chooses for those bytes ({@code MimeUtility.getEncoding}): 7bit for US-ASCII text in lines of
   * at most 998 bytes; quoted-printable for other text with more ASCII bytes than not; base64 for
   * the rest. "ASCII" as Jakarta Mail counts it: CR, LF, TAB and the printable characters, no other
   * control character and not DEL. The bytes are counted here in the pass that fixes the line
   * breaks, rather than by encoding the text a second time to count them.
   */
  private static final class Text implements Entity {

    private static final int MAX_LINE = 998;

    private final String contentType;
    private final byte[] content;
    private final String encoding;

    Text(String subtype, String content) {
      this.contentType = "text/" + subtype + "; charset=UTF-8";
      byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
      int ascii = 0;
      int nonAscii = 0;
      int bareBreaks = 0;
      int lineLength = 0;
      boolean longLine = false;
      for (int i = 0; i < bytes.length; i++) {
        int b = bytes[i] & 0xFF;
        if (b == '\r' || b == '\n') {
          boolean pair = b == '\r' ? next(bytes, i) == '\n' : i > 0 && bytes[i - 1] == '\r';
          if (!pair) {
            bareBreaks++;
          }
          lineLength = 0;
          ascii++;
        } else {
          longLine |= ++lineLength > MAX_LINE;
          if (b >= 0x7F || (b < 0x20 && b != '\t')) {
            nonAscii++;
          } else {
            ascii++;
          }
        }
      }
      // Each CR or LF added to complete a pair is one more ASCII byte.
      ascii += bareBreaks;
      this.content = bareBreaks == 0 ? bytes : crlf(bytes, bareBreaks);
      if (nonAscii == 0) {
        this.encoding = longLine ? "quoted-printable" : "7bit";
      } else {
        this.encoding = ascii > nonAscii ? "quoted-printable" : "base64";
      }
    }

    private static int next(byte[] bytes, int i) {
      return i + 1 < bytes.length ? bytes[i + 1] : -1;
    }

    /**
     * Every line break as CRLF. Jakarta Mail writes 7bit parts as they are, and a bare LF (what
     * JSON text and templates hold) is no line break in a message: relays turn it into CRLF on the
     * way, so the bytes received would no longer be the bytes signed, and every DKIM signature over
     * the body would fail at the receiver.
     */
    private static byte[] crlf(byte[] bytes, int bareBreaks) {
      byte[] fixed = new byte[bytes.length + bareBreaks];
      int n = 0;
      for (int i = 0; i < bytes.length; i++) {
        byte b = bytes[i];
        if (b == '\r') {
          fixed[n++] = '\r';
          fixed[n++] = '\n';
          if (next(bytes, i) == '\n') {
            i++;
          }
        } else if (b == '\n') {
          fixed[n++] = '\r';
          fixed[n++] = '\n';
        } else {
          fixed[n++] = b;
        }
      }
      return fixed;
    }

    @Override
    public String contentType() {
      return contentType;
    }

    @Override
    public String encoding() {
      return encoding;
    }

    @Override
    public void writeFields(MessageBytes out) {
      out.line("Content-Type: " + contentType);
      out.line("Content-Transfer-Encoding: " + encoding);
    }

    @Override
    public void writeContent(MessageBytes out) throws IOException {
      switch (encoding) {
        case "7bit" -> out.write(content);
        case "quoted-printable" -> encoded(new QPEncoderStream(out));
        default -> encoded(new BASE64EncoderStream(out));
      }
    }

    /**
     * Through the encoders Jakarta Mail's own writer uses, flushed and not closed as it does: a
     * base64 encoder closed would add a line break.
     */
    private void encoded(OutputStream encoder) throws IOException {
      encoder.write(content);
      encoder.flush();
    }

    @Override
    public int sizeHint() {
      return encoding.equals("base64")
          ? content.length * 4 / 3 + 128
          : content.length * 5 / 4 + 128;
    }
  }

  /**
   * A base64 part holding the bytes unchanged. Content-Type and Content-Disposition are written
   * here rather than left to Jakarta Mail, so that the file name is always UTF-8 (see {@link
   * FileNameParameter}).
   */
  private static final class File implements Entity {

    private final AttachedFile file;
    private final String contentType;

    File(AttachedFile file) throws MessagingException {
      this.file = file;
      ContentType type = new ContentType(file.contentType());
      if (type.getParameterList() != null) {
        type.getParameterList().remove("name");
      }
      this.contentType = type + FileNameParameter.format("name", file.filename());
    }

    @Override
    public String contentType() {
      return contentType;
    }

    @Override
    public String encoding() {
      return "base64";
    }

    @Override
    public void writeFields(MessageBytes out) {
      out.line("Content-Type: " + contentType);
      out.line("Content-Transfer-Encoding: base64");
      out.line(
          "Content-Disposition: "
              + (file.inline() ? MimeBodyPart.INLINE : MimeBodyPart.ATTACHMENT)
              + FileNameParameter.format("filename", file.filename()));
      if (file.contentId() != null) {
        out.line("Content-ID: <" + file.contentId() + ">");
      }
    }

    @Override
    public void writeContent(MessageBytes out) throws IOException {
      BASE64EncoderStream encoder = new BASE64EncoderStream(out);
      encoder.write(file.content());
      encoder.flush();
    }

    @Override
    public int sizeHint() {
      return file.content().length * 4 / 3 + file.content().length / 38 + 512;
    }
  }

  /**
   * A multipart as Jakarta Mail's {@code MimeMultipart} writes it: each part after a delimiter
   * line, an empty line after each part, the close delimiter last.
   */
  private static final class Multipart implements Entity {

    private static final AtomicInteger PARTS = new AtomicInteger();

    private final String baseType;
    private final String boundary;
    private final String contentType;
    private final List<Entity> parts;

    Multipart(String subtype, Entity... parts) {
      this(subtype, List.of(parts), null);
    }

    Multipart(String subtype, List<Entity> parts) {
      this(subtype, parts, null);
    }

    Multipart(String subtype, List<Entity> parts, @Nullable String rootType) {
      this.baseType = "multipart/" + subtype;
      this.boundary = boundary();
      ContentType type = new ContentType("multipart", subtype, null);
      type.setParameter("boundary", boundary);
      if (rootType != null) {
        type.setParameter("type", rootType);
      }
      this.contentType = type.toString();
      this.parts = parts;
    }

    /** Jakarta Mail's form, {@code ----=_Part_<n>_<hash>.<millis>}, which no encoded part holds. */
    private static String boundary() {
      return "----=_Part_"
          + PARTS.getAndIncrement()
          + "_"
          + (ThreadLocalRandom.current().nextInt() >>> 1)
          + "."
          + System.currentTimeMillis();
    }

    String baseType() {
      return baseType;
    }

    @Override
    public String contentType() {
      return contentType;
    }

    @Override
    public @Nullable String encoding() {
      return null;
    }

    @Override
    public void writeFields(MessageBytes out) {
      out.line("Content-Type: " + contentType);
    }

    @Override
    public void writeContent(MessageBytes out) throws IOException, MessagingException {
      for (Entity part : parts) {
        out.line("--" + boundary);
        part.writeFields(out);
        out.crlf();
        part.writeContent(out);
        out.crlf();
      }
      out.line("--" + boundary + "--");
    }

    @Override
    public int sizeHint() {
      int size = 256;
      for (Entity part : parts) {
        size += part.sizeHint() + 128;
      }
      return size;
    }
  }

  /**
   * The Date field, formatted once a second: Jakarta Mail formats it with one {@link
   * MailDateFormat} that every thread shares under a lock, and the field has no finer unit than the
   * second.
   */
  private static final class DateFields {

    private record Formatted(long second, String value) {}

    private volatile Formatted last = new Formatted(Long.MIN_VALUE, "");

    String format(Instant date) {
      Formatted formatted = last;
      if (formatted.second() != date.getEpochSecond()) {
        formatted =
            new Formatted(date.getEpochSecond(), new MailDateFormat().format(Date.from(date)));
        last = formatted;
      }
      return formatted.value();
    }
  }

  /**
   * The message as it is written: an unsynchronized byte buffer, with header lines written as
   * Jakarta Mail writes them without SMTPUTF8, one byte per character.
   */
  private static final class MessageBytes extends OutputStream {

    private byte[] bytes;
    private int size;

    MessageBytes(int capacity) {
      bytes = new byte[capacity];
    }

    void line(String line) {
      int length = line.length();
      ensure(length + 2);
      for (int i = 0; i < length; i++) {
        bytes[size++] = (byte) line.charAt(i);
      }
      bytes[size++] = '\r';
      bytes[size++] = '\n';
    }

    void crlf() {
      ensure(2);
      bytes[size++] = '\r';
      bytes[size++] = '\n';
    }

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}
