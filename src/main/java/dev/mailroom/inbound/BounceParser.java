package dev.mailroom.inbound;

import dev.mailroom.inbound.Bounce.Kind;
import dev.mailroom.inbound.BounceReport.Format;
import dev.mailroom.inbound.BounceReport.RecipientReport;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimePartDataSource;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Reads a bounce: an RFC 3464 delivery status notification, an RFC 5965 feedback report
 * (complaint), or, failing both, a message whose text names a failure status and an address, as
 * qmail, older Exchange servers and many hosted services send. Never throws: what it cannot read is
 * {@link Format#MALFORMED}, what it reads but does not recognise is {@link Format#UNRECOGNIZED}.
 *
 * <p>Parts are read as the bytes they are (through their data source), never through Jakarta Mail's
 * content handlers, so no part type can make it run anything but this parser.
 */
@Component
public class BounceParser {

  private static final Session SESSION = session();

  /** Report parts are found at most this deep (a report forwarded inside a multipart/mixed). */
  private static final int MAX_DEPTH = 5;

  private static final int MAX_PARTS = 100;
  private static final int MAX_STATUS_BLOCKS = 1000;
  private static final int MAX_TEXT_CHARS = 256 * 1024;
  private static final int MAX_FIELD_CHARS = 1000;

  private static final Pattern ENHANCED_STATUS =
      Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?!\\d)(?!\\.\\d)");

  /** A basic reply code as servers write it: "550 text" or "550-text", not inside a number. */
  private static final Pattern BASIC_REPLY =
      Pattern.compile("(?<![\\w.:/-])([45][0-5]\\d)[ -](?=\\S)");

  /** Bounded repetitions: a long run without an at sign costs a few steps per character. */
  private static final Pattern ADDRESS =
      Pattern.compile(
          "(?<![\\w.+=-])[\\w.+=-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){1,8}(?![\\w-])");

  private static final Pattern MESSAGE_ID_IN_TEXT =
      Pattern.compile("(?i)Message-ID:\\s*(<[^<>\\s]{1,250}>)");

  private static final Pattern ANGLE_BRACKETED = Pattern.compile("<([^<>\\s]{1,250})>");

  private static final Pattern BOUNCE_SUBJECT =
      Pattern.compile(
          "(?i)undeliver|undelivered|delivery (status|failure|failed|notification|has failed)"
              + "|returned mail|failure notice|could not be delivered|not delivered"
              + "|mail delivery|delivery problem|nondeliverable|non-delivery");

  private static final Set<String> SYSTEM_LOCAL_PARTS =
      Set.of("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon");

  private static final Set<String> COMPLAINT_TYPES = Set.of("abuse", "fraud", "virus", "other");

  public BounceReport parse(byte[] raw) {
    try {
      MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
      Part report = findReport(message, 0);
      if (report != null) {
        BounceReport parsed = readReport(message, report);
        if (parsed != null) {
          return parsed;
        }
      }
      return readText(message);
    } catch (MessagingException | IOException | RuntimeException e) {
      // RuntimeException too: whatever a hostile message makes the MIME parser do, the
      // listener records the message instead of failing the session.
      return BounceReport.malformed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static @Nullable Part findReport(Part part, int depth)
      throws MessagingException, IOException {
    if (part.isMimeType("multipart/report")) {
      return part;
    }
    if (depth < MAX_DEPTH && part.isMimeType("multipart/*")) {
      MimeMultipart children = children(part);
      for (int i = 0; i < Math.min(children.getCount(), MAX_PARTS); i++) {
        Part found = findReport(children.getBodyPart(i), depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** A DSN or an ARF report, or null when the report holds neither (the text is read instead). */
  private static @Nullable BounceReport readReport(MimeMessage message, Part report)
      throws MessagingException, IOException {
    List<InternetHeaders> status = null;
    InternetHeaders feedback = null;
    InternetHeaders returned = null;
    MimeMultipart parts = children(report);
    for (int i = 0; i < Math.min(parts.getCount(), MAX_PARTS); i++) {
      BodyPart part = parts.getBodyPart(i);
      if (part.isMimeType("message/delivery-status")
          || part.isMimeType("message/global-delivery-status")) {
        status = blocks(part.getInputStream().readAllBytes());
      } else if (part.isMimeType("message/feedback-report")) {
        List<InternetHeaders> blocks = blocks(part.getInputStream().readAllBytes());
        feedback = blocks.isEmpty() ? null : blocks.get(0);
      } else if (part.isMimeType("message/rfc822")
          || part.isMimeType("message/global")
          || part.isMimeType("text/rfc822-headers")
          || part.isMimeType("message/rfc822-headers")
          || part.isMimeType("message/global-headers")) {
        List<InternetHeaders> blocks = blocks(part.getInputStream().readAllBytes());
        returned = blocks.isEmpty() ? null : blocks.get(0);
      }
    }
    String messageId = returned == null ? null : messageId(field(returned, "Message-ID"));
    List<String> senders = new ArrayList<>();
    if (returned != null) {
      addAddress(senders, field(returned, "Return-Path"));
    }
    if (feedback != null) {
      return readFeedback(message, feedback, messageId, senders);
    }
    if (status != null) {
      return readDeliveryStatus(message, status, messageId, senders);
    }
    return null;
  }

  private static @Nullable BounceReport readDeliveryStatus(
      MimeMessage message,
      List<InternetHeaders> blocks,
      @Nullable String messageId,
      List<String> senders)
      throws MessagingException {
    if (blocks.isEmpty()) {
      return null;
    }
    InternetHeaders perMessage = blocks.get(0);
    addAddress(senders, field(perMessage, "X-Postfix-Sender"));
    String reportedBy = withoutType(field(perMessage, "Reporting-MTA"));
    List<RecipientReport> recipients = new ArrayList<>();
    // Some MTAs leave out the blank line after the per-message fields.
    int first = isRecipientBlock(perMessage) ? 0 : 1;
    for (int i = first; i < blocks.size(); i++) {
      if (isRecipientBlock(blocks.get(i))) {
        recipients.add(recipient(blocks.get(i)));
      }
    }
    if (recipients.isEmpty()) {
      return null;
    }
    return new BounceReport(
        Format.DSN,
        List.copyOf(recipients),
        reportedBy != null ? reportedBy : fromAddress(message),
        messageId,
        List.copyOf(senders),
        null);
  }

  private static boolean isRecipientBlock(InternetHeaders block) {
    return field(block, "Final-Recipient") != null
        || field(block, "Original-Recipient") != null
        || field(block, "Action") != null;
  }

  private static RecipientReport recipient(InternetHeaders block) {
    String address = address(withoutType(field(block, "Final-Recipient")));
    if (address == null) {
      address = address(withoutType(field(block, "Original-Recipient")));
    }
    String action = field(block, "Action");
    action = action == null ? null : action.toLowerCase(Locale.ROOT);
    String diagnostic = withoutType(field(block, "Diagnostic-Code"));
    String status = refine(enhancedStatus(field(block, "Status")), diagnostic);
    return new RecipientReport(
        dsnKind(action, status),
        address,
        action,
        status,
        diagnostic,
        withoutType(field(block, "Remote-MTA")));
  }

  /**
   * Exim and others write the class only ({@code Status: 5.0.0}) and the precise code in the
   * diagnostic ({@code 550 5.1.1 user unknown}); the precise one, of the same class, is the useful
   * one.
   */
  private static @Nullable String refine(@Nullable String status, @Nullable String diagnostic) {
    if (diagnostic == null || (status != null && !status.endsWith(".0.0"))) {
      return status;
    }
    String precise = enhancedStatus(diagnostic);
    if (precise == null || precise.endsWith(".0.0")) {
      return status;
    }
    return status == null || precise.charAt(0) == status.charAt(0) ? precise : status;
  }

  private static Kind dsnKind(@Nullable String action, @Nullable String status) {
    char statusClass = status == null ? ' ' : status.charAt(0);
    if (action == null) {
      return statusClass == '5' ? Kind.HARD : statusClass == '4' ? Kind.DELAYED : Kind.UNKNOWN;
    }
    return switch (action) {
      case "failed" -> statusClass == '4' ? Kind.SOFT : Kind.HARD;
      case "delayed" -> Kind.DELAYED;
      default -> Kind.UNKNOWN;
    };
  }

  private static BounceReport readFeedback(
      MimeMessage message,
      InternetHeaders feedback,
      @Nullable String messageId,
      List<String> senders)
      throws MessagingException {
    String type = field(feedback, "Feedback-Type");
    type = type == null ? null : type.toLowerCase(Locale.ROOT);
    addAddress(senders, field(feedback, "Original-Mail-From"));
    Kind kind = type != null && COMPLAINT_TYPES.contains(type) ? Kind.COMPLAINT : Kind.UNKNOWN;
    RecipientReport recipient =
        new RecipientReport(
            kind, address(field(feedback, "Original-Rcpt-To")), null, null, type, null);
    String reportedBy = fromAddress(message);
    if (reportedBy == null) {
      reportedBy = field(feedback, "User-Agent");
    }
    return new BounceReport(
        Format.ARF, List.of(recipient), reportedBy, messageId, List.copyOf(senders), null);
  }

  /** The fallback for bounces without a report part: a status code and an address in the text. */
  private static BounceReport readText(MimeMessage message) throws MessagingException, IOException {
    String reportedBy = fromAddress(message);
    if (!looksLikeBounce(message, reportedBy)) {
      return new BounceReport(
          Format.UNRECOGNIZED, List.of(), reportedBy, null, List.of(), "not a delivery report");
    }
    StringBuilder text = new StringBuilder();
    List<String> returnedIds = new ArrayList<>();
    collectText(message, 0, text, returnedIds);
    String body = text.toString();
    String status = null;
    int at = -1;
    Matcher enhanced = ENHANCED_STATUS.matcher(body);
    if (enhanced.find()) {
      status = enhanced.group();
      at = enhanced.start();
    } else {
      Matcher basic = BASIC_REPLY.matcher(body);
      if (basic.find()) {
        status = basic.group(1);
        at = basic.start();
      }
    }
    String messageId = returnedIds.isEmpty() ? null : returnedIds.get(0);
    if (messageId == null) {
      Matcher id = MESSAGE_ID_IN_TEXT.matcher(body);
      messageId = id.find() ? id.group(1) : null;
    }
    if (status == null) {
      return new BounceReport(
          Format.UNRECOGNIZED,
          List.of(),
          reportedBy,
          messageId,
          List.of(),
          "a bounce without a status code");
    }
    String address = address(message.getHeader("X-Failed-Recipients", ","));
    if (address == null) {
      address = recipientInText(body, reportedBy);
    }
    Kind kind = status.charAt(0) == '5' ? Kind.HARD : Kind.DELAYED;
    RecipientReport recipient =
        new RecipientReport(kind, address, null, status, lineAround(body, at), null);
    return new BounceReport(
        Format.NON_STANDARD, List.of(recipient), reportedBy, messageId, List.of(), null);
  }

  /**
   * Only a message that presents itself as a bounce is read for codes: an auto-reply or a person
   * writing "550 units" must not turn a recipient into a hard bounce.
   */
  private static boolean looksLikeBounce(MimeMessage message, @Nullable String from)
      throws MessagingException {
    if (message.getHeader("X-Failed-Recipients") != null) {
      return true;
    }
    String autoSubmitted = message.getHeader("Auto-Submitted", null);
    if (autoSubmitted != null && autoSubmitted.toLowerCase(Locale.ROOT).contains("auto-replied")) {
      return false;
    }
    if (from != null && SYSTEM_LOCAL_PARTS.contains(localPart(from))) {
      return true;
    }
    String subject = message.getHeader("Subject", null);
    if (subject != null) {
      try {
        subject = MimeUtility.decodeText(MimeUtility.unfold(subject));
      } catch (IOException | RuntimeException e) {
        // keep the raw subject
      }
      return BOUNCE_SUBJECT.matcher(subject).find();
    }
    return false;
  }

  /** Text of the text parts (HTML as its text), and the Message-IDs of returned messages. */
  private static void collectText(Part part, int depth, StringBuilder text, List<String> ids)
      throws MessagingException, IOException {
    if (text.length() >= MAX_TEXT_CHARS) {
      return;
    }
    if (part.isMimeType("multipart/*") && depth < MAX_DEPTH) {
      MimeMultipart children = children(part);
      for (int i = 0; i < Math.min(children.getCount(), MAX_PARTS); i++) {
        collectText(children.getBodyPart(i), depth + 1, text, ids);
      }
    } else if (part.isMimeType("message/rfc822") || part.isMimeType("text/rfc822-headers")) {
      List<InternetHeaders> blocks = blocks(part.getInputStream().readAllBytes());
      String id = blocks.isEmpty() ? null : messageId(field(blocks.get(0), "Message-ID"));
      if (id != null) {
        ids.add(id);
      }
    } else if (part.isMimeType("text/*") || part.getContentType() == null) {
      String content = decode(part);
      if (part.isMimeType("text/html")) {
        content = Jsoup.parse(content).text();
      }
      int room = MAX_TEXT_CHARS - text.length();
      text.append(content, 0, Math.min(content.length(), room)).append('\n');
    }
  }

  private static String decode(Part part) throws MessagingException, IOException {
    byte[] bytes = part.getInputStream().readNBytes(MAX_TEXT_CHARS * 4);
    String charset = null;
    try {
      charset = new ContentType(part.getContentType()).getParameter("charset");
    } catch (MessagingException | RuntimeException e) {
      // no usable charset: UTF-8 below
    }
    try {
      if (charset != null) {
        return new String(bytes, MimeUtility.javaCharset(charset));
      }
    } catch (java.io.UnsupportedEncodingException | RuntimeException e) {
      // an unknown charset: UTF-8 below
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The first address in the text that is not the reporting system or one of our own tokens. */
  private static @Nullable String recipientInText(String text, @Nullable String reportedBy) {
    Matcher address = ADDRESS.matcher(text);
    while (address.find()) {
      String candidate = address.group();
      String local = localPart(candidate);
      if (SYSTEM_LOCAL_PARTS.contains(local)
          || local.startsWith(VerpToken.PREFIX)
          || candidate.equalsIgnoreCase(reportedBy)) {
        continue;
      }
      return candidate;
    }
    return null;
  }

  private static String lineAround(String text, int at) {
    int start = text.lastIndexOf('\n', at) + 1;
    int end = text.indexOf('\n', at);
    String line = text.substring(start, end < 0 ? text.length() : end).strip();
    return line.length() > MAX_FIELD_CHARS ? line.substring(0, MAX_FIELD_CHARS) : line;
  }

  /** Header blocks separated by blank lines: the fields of a delivery-status part. */
  private static List<InternetHeaders> blocks(byte[] content) throws MessagingException {
    ByteArrayInputStream in = new ByteArrayInputStream(content);
    List<InternetHeaders> blocks = new ArrayList<>();
    while (in.available() > 0 && blocks.size() < MAX_STATUS_BLOCKS) {
      InternetHeaders block = new InternetHeaders(in, true);
      if (block.getAllHeaderLines().hasMoreElements()) {
        blocks.add(block);
      }
    }
    return blocks;
  }

  private static MimeMultipart children(Part part) throws MessagingException {
    return new MimeMultipart(new MimePartDataSource((MimePart) part));
  }

  /** A field's value unfolded, with runs of white space as one space; null when absent. */
  private static @Nullable String field(InternetHeaders headers, String name) {
    String value = headers.getHeader(name, " ");
    if (value == null) {
      return null;
    }
    value = MimeUtility.unfold(value).replaceAll("\\s+", " ").strip();
    if (value.isEmpty()) {
      return null;
    }
    return value.length() > MAX_FIELD_CHARS ? value.substring(0, MAX_FIELD_CHARS) : value;
  }

  /** {@code rfc822; jane@example.com} → {@code jane@example.com}: DSN values carry their type. */
  private static @Nullable String withoutType(@Nullable String value) {
    if (value == null) {
      return null;
    }
    int semicolon = value.indexOf(';');
    String rest = semicolon < 0 ? value : value.substring(semicolon + 1).strip();
    return rest.isEmpty() ? null : rest;
  }

  private static @Nullable String enhancedStatus(@Nullable String value) {
    if (value == null) {
      return null;
    }
    Matcher status = ENHANCED_STATUS.matcher(value);
    return status.find() ? status.group() : null;
  }

  private static @Nullable String address(@Nullable String value) {
    if (value == null) {
      return null;
    }
    Matcher address = ADDRESS.matcher(value);
    return address.find() ? address.group() : null;
  }

  private static void addAddress(List<String> addresses, @Nullable String value) {
    String address = address(value);
    if (address != null && !addresses.contains(address)) {
      addresses.add(address);
    }
  }

  private static @Nullable String messageId(@Nullable String value) {
    if (value == null) {
      return null;
    }
    Matcher id = ANGLE_BRACKETED.matcher(value);
    return id.find() ? id.group() : null;
  }

  private static @Nullable String fromAddress(MimeMessage message) throws MessagingException {
    return address(message.getHeader("From", ","));
  }

  private static String localPart(String address) {
    int at = address.lastIndexOf('@');
    return (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
  }

  private static Session session() {
    Properties properties = new Properties();
    // Header bytes that are not ASCII are read as UTF-8 (RFC 6532), not as Latin-1.
    properties.setProperty("mail.mime.allowutf8", "true");
    return Session.getInstance(properties);
  }
}
