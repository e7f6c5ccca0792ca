package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Tls;
import dev.mailroom.relay.SmtpSettings.Relay;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One open SMTP session to a relay, with what it takes to decide when to retire it. */
final class RelayConnection {

  final PipeliningTransport transport;

  /** The negotiated TLS, or null on a relay configured without TLS. */
  final @Nullable Tls tls;

  private final Instant opened = Instant.now();
  private int messages;

  RelayConnection(PipeliningTransport transport, @Nullable Tls tls) {
    this.transport = transport;
    this.tls = tls;
  }

  /** Counts a message tried over this connection, sent or not. */
  void used() {
    messages++;
  }

  /** Past the relay's age or message limit: closed with QUIT instead of being pooled again. */
  boolean retired(Relay relay) {
    return messages >= relay.maxMessagesPerConnection()
        || Duration.between(opened, Instant.now()).compareTo(relay.maxConnectionAge()) > 0;
  }
}
