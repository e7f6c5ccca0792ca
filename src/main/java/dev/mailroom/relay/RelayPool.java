package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Tls;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay: its pooled connections, its circuit breaker and its rate limit. A connection is opened
 * once and reused for many messages: it is checked with a NOOP when it sat idle, retired after a
 * maximum age or message count, and closed with QUIT. Borrowing waits at most {@code
 * borrowTimeout}. TLS connections are verified against the JVM's trust store or the relay's CA
 * bundle, and each result carries the negotiated protocol and cipher.
 */
public class RelayPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayPool.class);

  /** A connection used this recently is trusted without a NOOP round trip. */
  private static final Duration TRUST_RECENT = Duration.ofSeconds(2);

  private final Relay relay;
  private final Properties properties;
  private final Session session;
  private final @Nullable SSLSocketFactory tlsSockets;
  private final CircuitBreaker circuit;
  private final @Nullable Bucket rateLimit;
  private final GenericObjectPool<Connection> pool;

  public RelayPool(Relay relay, String ehloName) {
    this(
        relay,
        ehloName,
        new SmtpSettings.CircuitBreaker(5, Duration.ofSeconds(30)),
        Clock.systemUTC());
  }

  public RelayPool(Relay relay, String ehloName, SmtpSettings.CircuitBreaker breaker, Clock clock) {
    this.relay = relay;
    this.properties = sessionProperties(relay, ehloName);
    this.session = Session.getInstance(properties);
    this.tlsSockets =
        relay.tlsMode() == TlsMode.NONE ? null : TlsSockets.trusting(relay.caBundle());
    this.circuit = circuitBreaker(relay.name(), breaker, clock);
    this.rateLimit = rateLimit(relay.rateLimit());
    GenericObjectPoolConfig<Connection> config = new GenericObjectPoolConfig<>();
    config.setMaxTotal(relay.maxConnections());
    config.setMaxIdle(relay.maxConnections());
    config.setMinIdle(0);
    config.setBlockWhenExhausted(true);
    config.setMaxWait(relay.borrowTimeout());
    config.setTestOnBorrow(true);
    config.setTestWhileIdle(true);
    config.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
    config.setMinEvictableIdleDuration(Duration.ofSeconds(60));
    config.setJmxEnabled(false);
    this.pool = new GenericObjectPool<>(new ConnectionFactory(), config);
  }

  /**
   * N consecutive failures open the circuit: with a window of the last N calls, a failure rate of
   * 100 % means exactly that. After the cool-down the next caller's permit half-opens it for one
   * probe, whose result closes or reopens it.
   */
  private static CircuitBreaker circuitBreaker(
      String name, SmtpSettings.CircuitBreaker settings, Clock clock) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(settings.failureThreshold())
            .minimumNumberOfCalls(settings.failureThreshold())
            .failureRateThreshold(100)
            // Slow sends are bounded by the SMTP timeouts and counted as failures there.
            .slowCallRateThreshold(100)
            .slowCallDurationThreshold(Duration.ofDays(1))
            .waitDurationInOpenState(settings.coolDown())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .permittedNumberOfCallsInHalfOpenState(1)
            .writableStackTraceEnabled(false)
            .clock(clock)
            .build();
    CircuitBreaker breaker = CircuitBreaker.of(name, config);
    breaker
        .getEventPublisher()
        .onStateTransition(
            event ->
                log.warn(
                    "Relay {} circuit {}",
                    name,
                    event.getStateTransition().getToState() == CircuitBreaker.State.OPEN
                        ? "opened: the relay is skipped for " + settings.coolDown()
                        : event.getStateTransition().toString()));
    return breaker;
  }

  private static @Nullable Bucket rateLimit(@Nullable Double perSecond) {
    if (perSecond == null) {
      return null;
    }
    // A second's worth of burst, at least one message; refilled smoothly.
    long capacity = Math.max(1, (long) Math.ceil(perSecond));
    Duration period = Duration.ofNanos(Math.round(capacity * 1_000_000_000d / perSecond));
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, period))
        .build();
  }

  public String name() {
    return relay.name();
  }

  public int priority() {
    return relay.priority();
  }

  /** The weight set for this relay, or null when traffic follows list order. */
  public @Nullable Integer weight() {
    return relay.weight();
  }

  /**
   * Takes a permit from this relay's circuit: false while it is open, or while its one half-open
   * probe is out. Every permit must be followed by {@link #send}, which gives it back.
   */
  public boolean tryAcquirePermission() {
    return circuit.tryAcquirePermission();
  }

  /** 0 closed, 1 half-open, 2 open: the value of the circuit-state gauge. */
  public int circuitState() {
    return switch (circuit.getState()) {
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
      default -> 0;
    };
  }

  /**
   * Sends one message over a pooled connection, having taken a permit from the circuit. Never
   * throws: every failure is classified into the result, and the result is recorded on the circuit.
   * A connection that failed below the SMTP level is discarded, not returned.
   */
  public SendResult send(OutgoingMessage message) {
    long started = System.nanoTime();
    SMTPMessage mime;
    InternetAddress[] to;
    try {
      mime = new SMTPMessage(session, new ByteArrayInputStream(message.mime()));
      mime.setEnvelopeFrom(message.envelopeFrom());
      to = new InternetAddress[message.recipients().size()];
      for (int i = 0; i < to.length; i++) {
        to[i] = new InternetAddress(message.recipients().get(i), false);
      }
    } catch (MessagingException e) {
      // Not the relay's doing, and no other relay would do better.
      return notSent(message, "the stored message cannot be sent: " + e.getMessage(), started);
    }
    if (!awaitRateLimit()) {
      return notSent(
          message,
          "relay " + relay.name() + " is at its rate limit of " + relay.rateLimit() + "/s",
          started);
    }
    Connection connection;
    try {
      connection = pool.borrowObject();
    } catch (NoSuchElementException e) {
      return notSent(
          message,
          "no connection to relay " + relay.name() + " within " + relay.borrowTimeout(),
          started);
    } catch (Exception e) {
      return recorded(
          SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started)));
    }
    boolean reusable = true;
    try {
      connection.transport.sendMessage(mime, to);
      connection.messages++;
      SmtpReply reply =
          SmtpReply.of(
              connection.transport.getLastReturnCode(),
              connection.transport.getLastServerResponse());
      return recorded(
          SendClassifier.accepted(message.recipients(), reply, relay.name(), elapsed(started))
              .withTls(connection.tls));
    } catch (Exception e) {
      connection.messages++;
      reusable =
          e instanceof jakarta.mail.SendFailedException && connection.transport.isConnected();
      return recorded(
          SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started))
              .withTls(connection.tls));
    } finally {
      release(connection, reusable && !retired(connection));
    }
  }

  /** Nothing reached the relay: the permit goes back and the circuit learns nothing. */
  private SendResult notSent(OutgoingMessage message, String why, long started) {
    circuit.releasePermission();
    return SendClassifier.notSent(message.recipients(), why, relay.name(), elapsed(started));
  }

  /** Waits for the rate limit's next token, at most as long as for a connection. */
  private boolean awaitRateLimit() {
    if (rateLimit == null) {
      return true;
    }
    try {
      return rateLimit.asBlocking().tryConsume(1, relay.borrowTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A relay failure counts towards opening the circuit; anything else the relay said is health. */
  private SendResult recorded(SendResult result) {
    long nanos = result.duration().toNanos();
    if (result.relayFailure()) {
      circuit.onError(nanos, TimeUnit.NANOSECONDS, new RelayFailure(result.reply().line()));
    } else {
      circuit.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
    return result;
  }

  /** What the circuit breaker records for a relay failure; the reply is all there is to say. */
  private static final class RelayFailure extends RuntimeException {
    RelayFailure(String reply) {
      super(reply, null, false, false);
    }
  }

  private void release(Connection connection, boolean reusable) {
    try {
      if (reusable) {
        pool.returnObject(connection);
      } else {
        pool.invalidateObject(connection);
      }
    } catch (Exception e) {
      log.debug("Discarding connection to relay {} failed", relay.name(), e);
    }
  }

  /** Connections currently open to this relay, idle or in use. */
  public int openConnections() {
    return pool.getNumActive() + pool.getNumIdle();
  }

  @Override
  public void close() {
    pool.close();
  }

  /** Past its age or message limit: closed with QUIT instead of being pooled again. */
  private boolean retired(Connection connection) {
    return connection.messages >= relay.maxMessagesPerConnection()
        || Duration.between(connection.opened, Instant.now()).compareTo(relay.maxConnectionAge())
            > 0;
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private static String prefix(Relay relay) {
    return relay.tlsMode() == TlsMode.IMPLICIT ? "mail.smtps." : "mail.smtp.";
  }

  static Properties sessionProperties(Relay relay, String ehloName) {
    String p = prefix(relay);
    Properties props = new Properties();
    props.put(p + "host", relay.host());
    props.put(p + "port", String.valueOf(relay.port()));
    // Jakarta Mail waits forever unless told otherwise.
    props.put(p + "connectiontimeout", String.valueOf(relay.connectTimeout().toMillis()));
    props.put(p + "timeout", String.valueOf(relay.readTimeout().toMillis()));
    props.put(p + "writetimeout", String.valueOf(relay.writeTimeout().toMillis()));
    // A configured EHLO name: no local hostname lookup, which can hang on a misconfigured host.
    props.put(p + "localhost", ehloName);
    // Per-recipient replies: deliver to accepted recipients, report every RCPT reply.
    props.put(p + "sendpartial", "true");
    props.put(p + "reportsuccess", "true");
    props.put(p + "quitwait", "false");
    props.put(p + "auth", String.valueOf(relay.authenticates()));
    props.put(p + "auth.mechanisms", "PLAIN LOGIN");
    switch (relay.tlsMode()) {
      case STARTTLS -> {
        props.put(p + "starttls.enable", "true");
        props.put(p + "starttls.required", "true");
        props.put(p + "ssl.checkserveridentity", "true");
      }
      case IMPLICIT -> {
        props.put(p + "ssl.enable", "true");
        props.put(p + "ssl.checkserveridentity", "true");
      }
      case NONE -> props.put(p + "starttls.enable", "false");
    }
    return props;
  }

  private static final class Connection {
    final SMTPTransport transport;
    final @Nullable Tls tls;
    final Instant opened = Instant.now();
    int messages;

    Connection(SMTPTransport transport, @Nullable Tls tls) {
      this.transport = transport;
      this.tls = tls;
    }
  }

  private final class ConnectionFactory extends BasePooledObjectFactory<Connection> {

    @Override
    public Connection create() throws MessagingException {
      String protocol = relay.tlsMode() == TlsMode.IMPLICIT ? "smtps" : "smtp";
      if (tlsSockets == null) {
        SMTPTransport transport = (SMTPTransport) session.getTransport(protocol);
        transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
        log.debug("Opened connection to relay {}", relay);
        return new Connection(transport, null);
      }
      // A session of its own, so this connection's TLS socket can be told apart from others'.
      TlsSockets.Capturing sockets = new TlsSockets.Capturing(tlsSockets);
      Properties withSockets = new Properties();
      withSockets.putAll(properties);
      withSockets.put(prefix(relay) + "ssl.socketFactory", sockets);
      SMTPTransport transport =
          (SMTPTransport) Session.getInstance(withSockets).getTransport(protocol);
      transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
      Tls tls = sockets.negotiated();
      if (tls == null) {
        // Never send in plaintext over a relay configured for TLS.
        transport.close();
        throw new MessagingException(
            "relay " + relay.name() + " connection is not encrypted although TLS is required");
      }
      log.debug("Opened connection to relay {} with {} {}", relay, tls.protocol(), tls.cipher());
      return new Connection(transport, tls);
    }

    @Override
    public PooledObject<Connection> wrap(Connection connection) {
      return new DefaultPooledObject<>(connection);
    }

    @Override
    public boolean validateObject(PooledObject<Connection> pooled) {
      Connection connection = pooled.getObject();
      if (retired(connection)) {
        return false;
      }
      Instant lastUsed = pooled.getLastReturnInstant();
      if (Duration.between(lastUsed, Instant.now()).compareTo(TRUST_RECENT) < 0) {
        return true;
      }
      // SMTPTransport#isConnected sends a NOOP (RSET with mail.smtp.userset) and checks the reply.
      return connection.transport.isConnected();
    }

    @Override
    public void destroyObject(PooledObject<Connection> pooled) {
      try {
        pooled.getObject().transport.close(); // sends QUIT
      } catch (MessagingException e) {
        log.debug("QUIT to relay {} failed", relay.name(), e);
      }
    }
  }
}
