package dev.mailroom.support;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * A real SMTP server, in process, whose replies a test scripts: reject chosen recipients, answer
 * DATA with a queue of failures before accepting, answer DATA slowly. Keeps every message it
 * accepted, byte for byte, with its envelope.
 */
public class ScriptedSmtpServer implements AutoCloseable {

  /**
   * A message the server took responsibility for, with the id of the SMTP session (one client
   * connection) it came in.
   */
  public record Received(String from, List<String> recipients, byte[] data, String session) {
    public jakarta.mail.internet.MimeMessage parse() {
      try {
        return new jakarta.mail.internet.MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()),
            new ByteArrayInputStream(data));
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }

    public String text() {
      return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The message as the client sent it, without the Received header this server prepends. */
    public String sent() {
      return withoutReceived(text());
    }
  }

  private static final Duration POLL = Duration.ofMillis(10);

  private final SMTPServer server;
  private final int port;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> dataSeen = new CopyOnWriteArrayList<>();
  private final List<String> sessionsOpened = new CopyOnWriteArrayList<>();
  private final List<MailFrom> mailFroms = new CopyOnWriteArrayList<>();
  private final Map<String, String> recipientReplies = new ConcurrentHashMap<>();
  private final Deque<String> dataReplies = new ConcurrentLinkedDeque<>();
  private volatile String alwaysDataReply;
  private volatile Duration dataDelay = Duration.ZERO;

  public ScriptedSmtpServer() {
    this.port = freePort();
    this.server =
        SMTPServer.port(port)
            .hostName("scripted.test")
            .messageHandlerFactory(Handler::new)
            .sessionHandler(new CountingSessions())
            .connectionTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
            .build();
    server.start();
  }

  public int port() {
    return port;
  }

  /** RCPT TO for this address is answered with the given reply, e.g. "550 5.1.1 No such user". */
  public ScriptedSmtpServer rejectRecipient(String address, String reply) {
    recipientReplies.put(address.toLowerCase(), reply);
    return this;
  }

  /** The next DATA transactions are answered with these replies, in order, before accepting. */
  public ScriptedSmtpServer failDataWith(String... replies) {
    dataReplies.addAll(List.of(replies));
    return this;
  }

  /** Every DATA is answered with this reply until reset. */
  public ScriptedSmtpServer alwaysFailDataWith(String reply) {
    alwaysDataReply = reply;
    return this;
  }

  /**
   * A slow relay: every end-of-data reply comes this long after the message was received, until
   * reset. Keep it below the client's read timeout.
   */
  public ScriptedSmtpServer delayData(Duration delay) {
    dataDelay = delay;
    return this;
  }

  /**
   * Waits, boundedly, until at least this many messages were sent with DATA, answered or not; fails
   * when they were not.
   */
  public List<String> awaitDataSeen(int count, Duration timeout) {
    await("DATA sent " + count + " times")
        .atMost(timeout)
        .pollInterval(POLL)
        .until(() -> dataSeen.size() >= count);
    return dataSeen();
  }

  /** Fails if, for the whole window, DATA is sent more often than it had been so far. */
  public void assertNoFurtherDataFor(int seen, Duration window) {
    stays("DATA sent no more than " + seen + " times", window, () -> dataSeen.size() <= seen);
  }

  static String withoutReceived(String message) {
    return message.replaceFirst("(?s)^Received:.*?\\r\\n(?![ \\t])", "");
  }

  /** Every message sent with DATA, accepted or not, in order, as the client sent it. */
  public List<String> dataSeen() {
    return List.copyOf(dataSeen);
  }

  /** A MAIL FROM command the server accepted, with the session it came in. */
  public record MailFrom(String session, String address) {}

  /** The ids of the SMTP sessions (client connections) opened since the last reset, in order. */
  public List<String> sessionsOpened() {
    return List.copyOf(sessionsOpened);
  }

  /** Every MAIL FROM accepted since the last reset, in order, delivered or not. */
  public List<MailFrom> mailFroms() {
    return List.copyOf(mailFroms);
  }

  public void reset() {
    received.clear();
    dataSeen.clear();
    sessionsOpened.clear();
    mailFroms.clear();
    recipientReplies.clear();
    dataReplies.clear();
    alwaysDataReply = null;
    dataDelay = Duration.ZERO;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Waits, boundedly, until at least this many messages arrived; fails when they did not. */
  public List<Received> awaitReceived(int count, Duration timeout) {
    await(count + " messages received")
        .atMost(timeout)
        .pollInterval(POLL)
        .until(() -> received.size() >= count);
    return received();
  }

  /** Fails if any message arrives within the window: for what must never be sent. */
  public void assertNothingReceivedFor(Duration window) {
    stays("nothing received", window, received::isEmpty);
  }

  /** Fails if no DATA at all is sent within the window. */
  public void assertNoDataFor(Duration window) {
    assertNoFurtherDataFor(0, window);
  }

  /**
   * Holds for the whole window or fails. What these watch only grows until the next reset, so a
   * condition that broke once stays broken, and fails at the latest a second after the window.
   */
  private static void stays(String alias, Duration window, Callable<Boolean> condition) {
    await(alias)
        .during(window)
        .atMost(window.plus(Duration.ofSeconds(1)))
        .pollInterval(POLL)
        .until(condition);
  }

  @Override
  public void close() {
    server.stop();
  }

  private static RejectException reject(String reply) {
    int code = Integer.parseInt(reply.substring(0, 3));
    return new RejectException(code, reply.substring(4));
  }

  private final class CountingSessions implements SessionHandler {
    @Override
    public SessionHandler.SessionAcceptance accept(Session session) {
      sessionsOpened.add(session.getSessionId());
      return SessionHandler.SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {}
  }

  /** Created by the server for each mail transaction, that is at each MAIL FROM. */
  private final class Handler implements MessageHandler {
    private final String session;
    private String from = "";
    private final List<String> recipients = new ArrayList<>();

    Handler(MessageContext context) {
      this.session = context.getSessionId();
    }

    @Override
    public void from(String from) {
      this.from = from;
      mailFroms.add(new MailFrom(session, from));
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      String reply = recipientReplies.get(recipient.toLowerCase());
      if (reply != null) {
        throw reject(reply);
      }
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      byte[] bytes = data.readAllBytes();
      dataSeen.add(withoutReceived(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
      if (!dataDelay.isZero()) {
        sleep(dataDelay.toMillis());
      }
      String always = alwaysDataReply;
      if (always != null) {
        throw reject(always);
      }
      String next = dataReplies.poll();
      if (next != null) {
        throw reject(next);
      }
      received.add(new Received(from, List.copyOf(recipients), bytes, session));
      return null;
    }

    @Override
    public void done() {}
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
