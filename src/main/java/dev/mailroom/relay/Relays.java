package dev.mailroom.relay;

import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Every configured relay, each with its own connection pool. An attempt goes to the first relay;
 * the list shape is where priority and failover attach.
 */
@Component
public class Relays implements AutoCloseable {

  private final List<RelayPool> pools;

  public Relays(SmtpSettings settings) {
    this.pools =
        settings.relays().stream().map(r -> new RelayPool(r, settings.ehloName())).toList();
  }

  public SendResult send(OutgoingMessage message) {
    return pools.get(0).send(message);
  }

  public List<RelayPool> pools() {
    return pools;
  }

  /** Closes every connection with QUIT. Spring calls this after the dispatcher has stopped. */
  @Override
  public void close() {
    pools.forEach(RelayPool::close);
  }
}
