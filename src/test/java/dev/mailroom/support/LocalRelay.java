package dev.mailroom.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The relay for local mode: a real SMTP server in process that writes each message it receives, as
 * received, to a {@code .eml} file, and that answers like a real relay for a few special local
 * parts, so the whole lifecycle can be seen without an outside server:
 *
 * <ul>
 *   <li>{@code reject@…} is refused at RCPT with {@code 550 5.1.1};
 *   <li>{@code bounce@…} is accepted, then bounced: an RFC 3464 DSN (5.1.1) is mailed to the
 *       message's envelope sender at the inbound listener, as a remote MTA would;
 *   <li>{@code complaint@…} is accepted, then reported: an RFC 5965 feedback report is mailed
 *       there.
 * </ul>
 *
 * Reports go only when an inbound port is given and the envelope sender is not empty.
 */
public class LocalRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalRelay.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
  private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>\\r\\n]+>)");

  private final SMTPServer server;
  private final Path directory;
  private final @Nullable Integer inboundPort;
  private final AtomicLong count = new AtomicLong();
  private final ExecutorService reports = Executors.newSingleThreadExecutor();

  public LocalRelay(int port, Path directory) {
    this(port, directory, null);
  }

  /**
   * @param inboundPort the service's inbound listener, where bounces and complaints are mailed
   */
  public LocalRelay(int port, Path directory, @Nullable Integer inboundPort) {
    this.directory = directory.toAbsolutePath();
    this.inboundPort = inboundPort;
    try {
      Files.createDirectories(this.directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.server =
        SMTPServer.port(port)
            .hostName("local-relay")
            .messageHandlerFactory(Handler::new)
            .connectionTimeout(60, TimeUnit.SECONDS)
            .build();
    server.start();
    log.info(
        "Local relay listening on port {}; received messages are written to {}; reject@, bounce@"
            + " and complaint@ any domain answer like a real relay",
        port,
        this.directory);
  }

  private final class Handler implements MessageHandler {
    private String from = "";
    private final List<String> recipients = new ArrayList<>();

    Handler(MessageContext context) {}

    @Override
    public void from(String from) {
      this.from = from;
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      if (localPart(recipient).equals("reject")) {
        throw new RejectException(550, "5.1.1 <" + recipient + ">: Recipient address rejected");
      }
      recipients.add(recipient);
    }

    @Override
    public @Nullable String data(java.io.InputStream data) throws IOException {
      byte[] bytes = data.readAllBytes();
      for (String recipient : recipients) {
        write(recipient, bytes);
        String kind = localPart(recipient);
        if (kind.equals("bounce") || kind.equals("complaint")) {
          report(kind, from, recipient, bytes);
        }
      }
      return null;
    }

    @Override
    public void done() {}
  }

  private static String localPart(String address) {
    int at = address.lastIndexOf('@');
    return (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
  }

  private void write(String recipient, byte[] data) throws IOException {
    String safe = recipient.replaceAll("[^A-Za-z0-9@._-]", "_");
    Path file =
        directory.resolve(
            LocalDateTime.now().format(STAMP)
                + "-"
                + count.incrementAndGet()
                + "-"
                + safe
                + ".eml");
    Files.copy(new ByteArrayInputStream(data), file);
    log.info("Local relay received a message for {}: {}", recipient, file);
  }

  /** Mails the report after the relay's 250, as the remote side would, a moment later. */
  private void report(String kind, String envelopeFrom, String recipient, byte[] original) {
    if (inboundPort == null || envelopeFrom.isEmpty()) {
      return;
    }
    String headers = headersOf(original);
    byte[] message =
        kind.equals("bounce")
            ? dsn(envelopeFrom, recipient, headers)
            : arf(envelopeFrom, recipient, headers);
    reports.execute(
        () -> {
          try {
            Thread.sleep(200);
            mail(inboundPort, envelopeFrom, message);
            log.info("Local relay mailed a {} report for {} to {}", kind, recipient, envelopeFrom);
          } catch (IOException e) {
            log.warn("Local relay could not mail the {} report for {}", kind, recipient, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  private static String headersOf(byte[] original) {
    String text = new String(original, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    return end < 0 ? text : text.substring(0, end + 2);
  }

  private static @Nullable String messageId(String headers) {
    Matcher m = MESSAGE_ID.matcher(headers);
    return m.find() ? m.group(1) : null;
  }

  /** An RFC 3464 delivery status notification, shaped as Postfix sends one. */
  static byte[] dsn(String returnPath, String recipient, String originalHeaders) {
    String boundary = "local-relay-" + UUID.randomUUID();
    String date = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME);
    String text =
        "From: MAILER-DAEMON@local-relay (Mail Delivery System)\r\n"
            + "To: "
            + returnPath
            + "\r\nDate: "
            + date
            + "\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            + "Auto-Submitted: auto-replied\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            + "\tboundary=\""
            + boundary
            + "\"\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "<"
            + recipient
            + ">: host mx.local-relay said: 550 5.1.1 User unknown (local mode: bounce@ always"
            + " bounces)\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: message/delivery-status\r\n\r\n"
            + "Reporting-MTA: dns; local-relay\r\n"
            + "Arrival-Date: "
            + date
            + "\r\n\r\n"
            + "Final-Recipient: rfc822; "
            + recipient
            + "\r\nOriginal-Recipient: rfc822;"
            + recipient
            + "\r\nAction: failed\r\n"
            + "Status: 5.1.1\r\n"
            + "Remote-MTA: dns; mx.local-relay\r\n"
            + "Diagnostic-Code: smtp; 550 5.1.1 <"
            + recipient
            + ">: User unknown\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            + "Return-Path: <"
            + returnPath
            + ">\r\n"
            + originalHeaders
            + "\r\n--"
            + boundary
            + "--\r\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** An RFC 5965 abuse report, shaped as a mailbox provider's feedback loop sends one. */
  static byte[] arf(String returnPath, String recipient, String originalHeaders) {
    String boundary = "local-relay-" + UUID.randomUUID();
    String date = ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME);
    String id = messageId(originalHeaders);
    String text =
        "From: <feedback@local-relay>\r\n"
            + "To: "
            + returnPath
            + "\r\nDate: "
            + date
            + "\r\nSubject: FW: abuse report\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=feedback-report;\r\n"
            + "\tboundary=\""
            + boundary
            + "\"\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "This is an email abuse report (local mode: complaint@ always complains).\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: message/feedback-report\r\n\r\n"
            + "Feedback-Type: abuse\r\n"
            + "User-Agent: local-relay/1.0\r\n"
            + "Version: 1\r\n"
            + "Original-Mail-From: <"
            + returnPath
            + ">\r\nOriginal-Rcpt-To: <"
            + recipient
            + ">\r\nArrival-Date: "
            + date
            + "\r\n"
            + (id == null ? "" : "Original-Message-ID: " + id + "\r\n")
            + "\r\n--"
            + boundary
            + "\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            + "Return-Path: <"
            + returnPath
            + ">\r\n"
            + originalHeaders
            + "\r\n--"
            + boundary
            + "--\r\n";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** One SMTP transaction from the null sender, as MTAs send reports. */
  static void mail(int port, String to, byte[] message) throws IOException {
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      var out = socket.getOutputStream();
      expect(in, "2");
      for (String command : List.of("EHLO local-relay", "MAIL FROM:<>", "RCPT TO:<" + to + ">")) {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, "2");
      }
      out.write("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      expect(in, "3");
      String body = new String(message, StandardCharsets.UTF_8).replace("\r\n.", "\r\n..");
      out.write(body.getBytes(StandardCharsets.UTF_8));
      out.write(".\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      expect(in, "2");
    }
  }

  private static void expect(java.io.BufferedReader in, String first) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    if (!line.startsWith(first)) {
      throw new IOException("unexpected reply: " + line);
    }
  }

  @Override
  public void close() {
    reports.shutdownNow();
    server.stop();
  }
}
