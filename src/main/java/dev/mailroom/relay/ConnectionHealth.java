package dev.mailroom.relay;

import dev.mailroom.relay.SmtpSettings.Relay;
import jakarta.mail.MessagingException;
import java.time.Duration;
import java.time.Instant;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a pooled connection: opened by the connector, checked with a NOOP before reuse when
 * it sat idle, retired after the relay's age or message limit, closed with QUIT.
 */
final class ConnectionHealth extends BasePooledObjectFactory<RelayConnection> {

  private static final Logger log = LoggerFactory.getLogger(ConnectionHealth.class);

  /** A connection used this recently is trusted without a NOOP round trip. */
  private static final Duration TRUST_RECENT = Duration.ofSeconds(2);

  private final Relay relay;
  private final SmtpConnector connector;

  ConnectionHealth(Relay relay, SmtpConnector connector) {
    this.relay = relay;
    this.connector = connector;
  }

  @Override
  public RelayConnection create() throws MessagingException {
    return connector.open();
  }

  @Override
  public PooledObject<RelayConnection> wrap(RelayConnection connection) {
    return new DefaultPooledObject<>(connection);
  }

  @Override
  public boolean validateObject(PooledObject<RelayConnection> pooled) {
    RelayConnection connection = pooled.getObject();
    if (connection.retired(relay)) {
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
  public void destroyObject(PooledObject<RelayConnection> pooled) {
    try {
      pooled.getObject().transport.close(); // sends QUIT
    } catch (MessagingException e) {
      log.debug("QUIT to relay {} failed", relay.name(), e);
    }
  }
}
