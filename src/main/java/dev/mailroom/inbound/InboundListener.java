package dev.mailroom.inbound;

import dev.mailroom.inbound.InboundMail.Received;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;

/**
 * The inbound SMTP listener on {@code mailroom.inbound.port}: takes mail for the bounce domain and
 * hands each message to {@link InboundMail}. Only started when the port is set.
 *
 * <p>Hostile clients are expected. A command line longer than 998 characters, one with a bare CR or
 * LF, or bytes that are not UTF-8 end the session (SubEthaSMTP's reader); a message is read with a
 * size cap and refused with 552 beyond it; a client silent for {@code idle-timeout}, or connected
 * for longer than {@code session-timeout}, is disconnected; {@link ConnectionLimits} caps
 * connections per address.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.inbound", name = "port")
class InboundListener implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

  /** How long stopping waits for sessions to end once their sockets are closed. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final InboundSettings settings;
  private final InboundMail mail;
  private final InboundCounters counters;
  private final Clock clock = Clock.systemUTC();
  private final @Nullable SSLContext tls;
  private volatile @Nullable SMTPServer server;
  private @Nullable ScheduledExecutorService timer;

  InboundListener(InboundSettings settings, InboundMail mail, InboundCounters counters) {
    this.settings = settings;
    this.mail = mail;
    this.counters = counters;
    // At construction: a missing or unreadable certificate fails startup, not the first STARTTLS.
    this.tls = settings.tls().enabled() ? tlsContext(settings.tls()) : null;
  }

  @Override
  public synchronized void start() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("inbound-timer"));
    timer.setRemoveOnCancelPolicy(true);
    this.timer = timer;
    SMTPServer.Builder builder =
        SMTPServer.port(settings.port())
            .bindAddress(Optional.ofNullable(bindAddress()))
            .hostName(settings.hostName())
            .softwareName("Mailroom")
            .maxMessageSize((int) settings.maxMessageSize().toBytes())
            .maxRecipients(settings.maxRecipients())
            .maxConnections(settings.maxConnections())
            .connectionTimeoutMs((int) settings.idleTimeout().toMillis())
            .insertReceivedHeaders(false)
            .executorService(sessionThreads())
            .sessionHandler(
                new ConnectionLimits(settings, timer, () -> counters.count(InboundOutcome.REFUSED)))
            .messageHandlerFactory(Transaction::new);
    if (tls != null) {
      builder.enableTLS().startTlsSocketFactory(tls);
    }
    SMTPServer server = builder.build();
    server.start();
    this.server = server;
    log.info(
        "Inbound SMTP listening on port {} for {}{}",
        server.getPortAllocated(),
        mail.domain(),
        tls != null ? ", STARTTLS offered" : "");
  }

  @Override
  public synchronized void stop() {
    SMTPServer server = this.server;
    this.server = null;
    if (server != null) {
      // SubEthaSMTP waits for its sessions without a limit; they end once their sockets close,
      // unless one is stuck in a database call, which this bounds.
      Thread stopping = new Thread(server::stop, "inbound-stop");
      stopping.start();
      try {
        stopping.join(STOP_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ScheduledExecutorService timer = this.timer;
    this.timer = null;
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** The port listened on: the configured one, or the one picked for port 0. */
  int port() {
    SMTPServer server = this.server;
    if (server == null) {
      throw new IllegalStateException("The inbound listener is not running");
    }
    return server.getPortAllocated();
  }

  /** One mail transaction: MAIL FROM to the end of DATA. */
  private final class Transaction implements MessageHandler {

    private final MessageContext context;
    private String sender = "";
    private final List<String> recipients = new ArrayList<>();

    Transaction(MessageContext context) {
      this.context = context;
    }

    @Override
    public void from(String from) {
      sender = from;
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      if (!mail.accepts(recipient)) {
        counters.count(InboundOutcome.REFUSED);
        throw new RejectException(550, "5.1.1 <" + recipient + ">: no such user here");
      }
      recipients.add(recipient);
    }

    @Override
    public @Nullable String data(InputStream data) throws RejectException, IOException {
      byte[] raw = readCapped(data);
      Envelope envelope =
          new Envelope(
              clock.instant(),
              sender,
              List.copyOf(recipients),
              address(context.getRemoteAddress()),
              context.getHelo().orElse(null));
      try {
        Received received = mail.receive(envelope, raw);
        // The outcome stays ours: a sender learns nothing about which tokens are valid.
        return "2.0.0 Ok: recorded as " + received.id();
      } catch (DataAccessException e) {
        log.warn("Inbound message not recorded: {}", e.getMostSpecificCause().getMessage());
        throw refusal(451, "4.3.0 Temporary failure, please try again later");
      } catch (RuntimeException e) {
        log.error("Inbound message not recorded", e);
        throw refusal(451, "4.3.0 Temporary failure, please try again later");
      }
    }

    /**
     * A refusal at the end of DATA. The transaction is over whatever the reply (RFC 5321 4.1.1.4),
     * but SubEthaSMTP resets it only after a 250, so a client's next MAIL FROM would get 503: the
     * reset is done here.
     */
    private RejectException refusal(int code, String text) {
      if (context instanceof Session session) {
        session.resetMailTransaction();
      }
      return new RejectException(code, text);
    }

    /**
     * The message, or a 552 once it passes the size limit. The rest is read and dropped up to as
     * much again, so that the client sees the reply and may go on; a client still sending past that
     * is disconnected. Either way memory holds at most the limit.
     */
    private byte[] readCapped(InputStream data) throws IOException, RejectException {
      int limit = (int) settings.maxMessageSize().toBytes();
      byte[] message = data.readNBytes(limit + 1);
      if (message.length <= limit) {
        return message;
      }
      counters.count(InboundOutcome.REFUSED);
      long skipped = 0;
      byte[] sink = new byte[8192];
      int n;
      while ((n = data.read(sink)) != -1) {
        skipped += n;
        if (skipped > limit) {
          throw new DropConnectionException(552, "5.3.4 Message too big, closing connection");
        }
      }
      throw refusal(552, "5.3.4 Message too big: the limit is " + limit + " bytes");
    }

    @Override
    public void done() {}
  }

  private @Nullable InetAddress bindAddress() {
    if (settings.bindAddress() == null || settings.bindAddress().isBlank()) {
      return null;
    }
    try {
      return InetAddress.getByName(settings.bindAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "mailroom.inbound.bind-address " + settings.bindAddress() + " is not an address", e);
    }
  }

  private static @Nullable String address(@Nullable SocketAddress remote) {
    return remote instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : null;
  }

  private static SSLContext tlsContext(InboundSettings.Tls tls) {
    try {
      PemSslStoreDetails keyStore =
          PemSslStoreDetails.forCertificate("file:" + tls.certificate())
              .withPrivateKey("file:" + tls.privateKey());
      return SslBundle.of(new PemSslStoreBundle(keyStore, null)).createSslContext();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Cannot use mailroom.inbound.tls.certificate "
              + tls.certificate()
              + " with private-key "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Session threads, one per connection: SubEthaSMTP admits at most {@code max-connections} (plus a
   * few it refuses with 421), so this pool is bounded by that.
   */
  private static ExecutorService sessionThreads() {
    return Executors.newCachedThreadPool(daemon("inbound-smtp"));
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
