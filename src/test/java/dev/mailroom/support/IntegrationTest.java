package dev.mailroom.support;

import static org.awaitility.Awaitility.await;

import dev.mailroom.delivery.Dispatcher;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The running service against a real PostgreSQL (its own database per context) over real HTTP.
 * Subclasses point the relay at a real SMTP server of their choosing. One API key with every scope
 * is configured as {@code mailroom.api-keys[0]}, and {@link #api} sends it; a subclass may add keys
 * from index 1 on.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "mailroom.email.default-from=Mailroom Test <sender@mailroom.test>",
      "mailroom.email.message-id-domain=mailroom.test",
      "mailroom.smtp.ehlo-name=client.mailroom.test",
      "mailroom.delivery.poll-interval=100ms",
      "mailroom.delivery.retry.initial-backoff=200ms",
      "mailroom.delivery.retry.jitter=0",
      "mailroom.webhooks.allow-private-networks=true",
      "mailroom.webhooks.poll-interval=100ms",
      "mailroom.webhooks.retry.initial-backoff=200ms",
      "mailroom.webhooks.retry.multiplier=1.5",
      "mailroom.webhooks.retry.jitter=0",
      "management.server.port=0",
      "mailroom.api-keys[0].name=test",
      "mailroom.api-keys[0].hash=" + TestKeys.ALL_SCOPES_HASH,
      "mailroom.api-keys[0].scopes=send,read,templates,domains,webhooks",
      "mailroom.domains.encryption-key=" + TestKeys.DOMAIN_ENCRYPTION_KEY
    })
@Import(TestDatabase.class)
public abstract class IntegrationTest {

  @LocalServerPort protected int port;

  @Autowired protected JdbcClient jdbc;

  /** The service's own dispatcher; absent where a test switches it off to build its own. */
  @Autowired private ObjectProvider<Dispatcher> dispatcher;

  protected Api api;

  @BeforeEach
  void cleanOutbox() {
    api = new Api(port);
    // Emails of an earlier test must not reach this test's relay: stop every claim, let the sends
    // this context's dispatcher has in flight finish, then empty the outbox. Rows another
    // dispatcher holds (one a test built by hand, or a row a test marked SENDING itself) are
    // nobody's work here and simply go.
    jdbc.sql(
            "UPDATE emails SET status = 'CANCELLED', due_at = NULL"
                + " WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED')")
        .update();
    Dispatcher own = dispatcher.getIfAvailable();
    if (own != null) {
      await("sends in flight of dispatcher " + own.id())
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(10))
          .until(() -> sendingBy(own.id()) == 0);
    }
    truncateOutbox();
  }

  /**
   * Empties the outbox and the suppression list (an earlier test's 5.1.1 must not suppress this
   * one's recipient) and, by cascade, the events and webhook deliveries. The webhook dispatcher
   * polls those tables meanwhile and takes their locks in another order, so PostgreSQL may pick the
   * TRUNCATE as a deadlock's victim: it is simply run again.
   */
  private void truncateOutbox() {
    for (int tries = 1; ; tries++) {
      try {
        jdbc.sql("TRUNCATE emails, suppressions CASCADE").update();
        return;
      } catch (org.springframework.dao.PessimisticLockingFailureException e) {
        if (tries == 5) {
          throw e;
        }
      }
    }
  }

  private long sendingBy(String dispatcherId) {
    return jdbc.sql("SELECT count(*) FROM emails WHERE status = 'SENDING' AND locked_by = :id")
        .param("id", dispatcherId)
        .query(Long.class)
        .single();
  }

  /**
   * Points the one relay at a local test server. Spring Boot binds a list from a single property
   * source, so every relay property is registered here together.
   */
  protected static void relayAt(DynamicPropertyRegistry registry, IntSupplier port) {
    registry.add("mailroom.smtp.relays[0].name", () -> "test-relay");
    registry.add("mailroom.smtp.relays[0].host", () -> "localhost");
    registry.add("mailroom.smtp.relays[0].port", port::getAsInt);
    registry.add("mailroom.smtp.relays[0].tls-mode", () -> "NONE");
    registry.add("mailroom.smtp.relays[0].read-timeout", () -> "5s");
  }

  protected long count(String table) {
    return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
  }
}
