package dev.mailroom.relay;

import dev.mailroom.relay.PipeliningTransport.MailTransaction;
import dev.mailroom.relay.SmtpSettings.Relay;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay: its pooled connections, its circuit breaker and its rate limit. A connection is opened
 * once and reused for many messages (see {@link ConnectionHealth} for when it is checked, retired
 * and closed; {@link SmtpConnector} for how it is opened). Borrowing waits at most {@code
 * borrowTimeout}. Each result carries the connection's negotiated TLS protocol and cipher.
 */
public class RelayPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayPool.class);

  private final Relay relay;
  private final SmtpConnector connector;
  private final RelayCircuit circuit;
  private final RelayRateLimit rateLimit;
  private final GenericObjectPool<RelayConnection> pool;

  public RelayPool(Relay relay, String ehloName) {
    this(
        relay,
        ehloName,
        new SmtpSettings.CircuitBreaker(5, Duration.ofSeconds(30)),
        Clock.systemUTC());
  }

  public RelayPool(Relay relay, String ehloName, SmtpSettings.CircuitBreaker breaker, Clock clock) {
    this.relay = relay;
    this.connector = new SmtpConnector(relay, ehloName);
    this.circuit = new RelayCircuit(relay.name(), breaker, clock);
    this.rateLimit = new RelayRateLimit(relay.rateLimit());
    GenericObjectPoolConfig<RelayConnection> config = new GenericObjectPoolConfig<>();
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
    this.pool = new GenericObjectPool<>(new ConnectionHealth(relay, connector), config);
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
    return circuit.state();
  }

  /**
   * Sends one message over a pooled connection, having taken a permit from the circuit. Never
   * throws: every failure is classified into the result, and the result is recorded on the circuit.
   * A connection that failed below the SMTP level is discarded, not returned.
   */
  public SendResult send(OutgoingMessage message) {
    long started = System.nanoTime();
    if (message.recipients().isEmpty()) {
      return notSent(message, "no recipient left to send to", started);
    }
    List<String> to;
    try {
      to = connector.addresses(message);
    } catch (MessagingException e) {
      // Not the relay's doing, and no other relay would do better.
      return notSent(message, "a recipient's address cannot be used: " + e.getMessage(), started);
    }
    if (!rateLimit.await(relay.borrowTimeout())) {
      return notSent(
          message,
          "relay " + relay.name() + " is at its rate limit of " + relay.rateLimit() + "/s",
          started);
    }
    RelayConnection connection;
    try {
      connection = pool.borrowObject();
    } catch (NoSuchElementException e) {
      return notSent(
          message,
          "no connection to relay " + relay.name() + " within " + relay.borrowTimeout(),
          started);
    } catch (Exception e) {
      return circuit.recorded(
          SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started)));
    }
    return sendOver(connection, to, message, started);
  }

  private SendResult sendOver(
      RelayConnection connection, List<String> to, OutgoingMessage message, long started) {
    List<String> senders = message.envelopeSenders();
    if (senders != null) {
      return sendPerRecipient(connection, to, message, senders, started);
    }
    boolean reusable = false;
    try {
      MailTransaction replies =
          connection.transport.send(message.envelopeFrom(), to, message.mime());
      connection.used();
      reusable = reusableAfter(replies, connection);
      return circuit.recorded(
          SendClassifier.of(message.recipients(), replies, relay.name(), elapsed(started))
              .withTls(connection.tls));
    } catch (Exception e) {
      connection.used();
      return circuit.recorded(
          SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started))
              .withTls(connection.tls));
    } finally {
      release(connection, reusable && !connection.retired(relay));
    }
  }

  /**
   * VERP: one transaction per recipient, each with its own envelope sender, on the one borrowed
   * connection; the results are merged into one. When the connection breaks, the recipients not yet
   * tried share that failure and nothing more is sent.
   */
  private SendResult sendPerRecipient(
      RelayConnection connection,
      List<String> to,
      OutgoingMessage message,
      List<String> senders,
      long started) {
    List<SendResult> parts = new ArrayList<>();
    boolean reusable = true;
    try {
      for (int i = 0; i < to.size(); i++) {
        List<String> recipient = List.of(message.recipients().get(i));
        if (!reusable) {
          List<String> rest = message.recipients().subList(i, message.recipients().size());
          parts.add(SendResult.sameAs(parts.get(parts.size() - 1), rest));
          break;
        }
        try {
          MailTransaction replies =
              connection.transport.send(senders.get(i), List.of(to.get(i)), message.mime());
          connection.used();
          reusable = reusableAfter(replies, connection);
          parts.add(SendClassifier.of(recipient, replies, relay.name(), elapsed(started)));
        } catch (Exception e) {
          connection.used();
          reusable = false;
          parts.add(SendClassifier.classify(recipient, e, relay.name(), elapsed(started)));
        }
      }
      return circuit.recorded(SendResult.merged(parts, elapsed(started)).withTls(connection.tls));
    } finally {
      release(connection, reusable && !connection.retired(relay));
    }
  }

  /**
   * Whether the session can carry the next message. After a message the relay took, the session is
   * in step and is reused at once: a NOOP there would be one more round trip per email sent. After
   * a refusal (the transport has said RSET) it is checked with a NOOP first.
   */
  private static boolean reusableAfter(MailTransaction replies, RelayConnection connection) {
    return replies.completed() || connection.transport.isConnected();
  }

  /** Nothing reached the relay: the permit goes back and the circuit learns nothing. */
  private SendResult notSent(OutgoingMessage message, String why, long started) {
    circuit.releasePermission();
    return SendClassifier.notSent(message.recipients(), why, relay.name(), elapsed(started));
  }

  private void release(RelayConnection connection, boolean reusable) {
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

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
