package dev.mailroom.relay;

import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one relay. A connection is opened once and reused for many messages: it is
 * checked with a NOOP when it sat idle, retired after a maximum age or message count, and closed
 * with QUIT on shutdown. Borrowing waits at most {@code borrowTimeout}.
 */
public class RelayPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RelayPool.class);

  /** A connection used this recently is trusted without a NOOP round trip. */
  private static final Duration TRUST_RECENT = Duration.ofSeconds(2);

  private final Relay relay;
  private final Session session;
  private final GenericObjectPool<Connection> pool;

  public RelayPool(Relay relay, String ehloName) {
    this.relay = relay;
    this.session = Session.getInstance(sessionProperties(relay, ehloName));
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

  public String name() {
    return relay.name();
  }

  /**
   * Sends one message over a pooled connection. Never throws: every failure is classified into the
   * result. A connection that failed below the SMTP level is discarded, not returned.
   */
  public SendResult send(OutgoingMessage message) {
    long started = System.nanoTime();
    Connection connection;
    try {
      connection = pool.borrowObject();
    } catch (NoSuchElementException e) {
      return SendClassifier.classify(
          message.recipients(),
          new MessagingException(
              "no connection to relay " + relay.name() + " within " + relay.borrowTimeout()),
          relay.name(),
          elapsed(started));
    } catch (Exception e) {
      return SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started));
    }
    boolean reusable = true;
    try {
      SMTPMessage mime = new SMTPMessage(session, new ByteArrayInputStream(message.mime()));
      mime.setEnvelopeFrom(message.envelopeFrom());
      InternetAddress[] to = new InternetAddress[message.recipients().size()];
      for (int i = 0; i < to.length; i++) {
        to[i] = new InternetAddress(message.recipients().get(i), false);
      }
      connection.transport.sendMessage(mime, to);
      connection.messages++;
      SmtpReply reply =
          SmtpReply.of(
              connection.transport.getLastReturnCode(),
              connection.transport.getLastServerResponse());
      return SendClassifier.accepted(message.recipients(), reply, relay.name(), elapsed(started));
    } catch (Exception e) {
      connection.messages++;
      reusable =
          e instanceof jakarta.mail.SendFailedException && connection.transport.isConnected();
      return SendClassifier.classify(message.recipients(), e, relay.name(), elapsed(started));
    } finally {
      release(connection, reusable);
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

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  static Properties sessionProperties(Relay relay, String ehloName) {
    String p = relay.tlsMode() == TlsMode.IMPLICIT ? "mail.smtps." : "mail.smtp.";
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
    final Instant opened = Instant.now();
    int messages;

    Connection(SMTPTransport transport) {
      this.transport = transport;
    }
  }

  private final class ConnectionFactory extends BasePooledObjectFactory<Connection> {

    @Override
    public Connection create() throws MessagingException {
      String protocol = relay.tlsMode() == TlsMode.IMPLICIT ? "smtps" : "smtp";
      SMTPTransport transport = (SMTPTransport) session.getTransport(protocol);
      transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
      log.debug("Opened connection to relay {}", relay);
      return new Connection(transport);
    }

    @Override
    public PooledObject<Connection> wrap(Connection connection) {
      return new DefaultPooledObject<>(connection);
    }

    @Override
    public boolean validateObject(PooledObject<Connection> pooled) {
      Connection connection = pooled.getObject();
      if (connection.messages >= relay.maxMessagesPerConnection()
          || Duration.between(connection.opened, Instant.now()).compareTo(relay.maxConnectionAge())
              > 0) {
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
