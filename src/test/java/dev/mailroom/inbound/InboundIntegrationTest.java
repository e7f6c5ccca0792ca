package dev.mailroom.inbound;

import dev.mailroom.support.ScriptedRelayTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The running service with its inbound listener on a free port, for the bounce domain {@link
 * #BOUNCE_DOMAIN}, with STARTTLS offered. Subclasses share one context; each test starts with no
 * inbound messages and no published bounces.
 */
@TestPropertySource(
    properties = {
      "mailroom.inbound.port=0",
      "mailroom.inbound.host-name=bounces.mailroom.test",
      "mailroom.inbound.max-message-size=64KB",
      "mailroom.inbound.idle-timeout=5s",
      "mailroom.inbound.max-connections=50",
      // Tests connect from one address, many times: the per-address limits have a test of their
      // own (ConnectionLimitsTest).
      "mailroom.inbound.max-connections-per-address=50",
      "mailroom.inbound.connections-per-minute-per-address=100000",
      "mailroom.bounces.domain=" + InboundIntegrationTest.BOUNCE_DOMAIN,
      "mailroom.bounces.secret=" + InboundIntegrationTest.SECRET
    })
@Import(InboundIntegrationTest.Events.class)
abstract class InboundIntegrationTest extends ScriptedRelayTest {

  static final String BOUNCE_DOMAIN = "bounces.mailroom.test";
  static final String SECRET = "dGhpcnR5LXR3by1ieXRlcy1vZi1rZXktZm9yLWJvdW5jZXMtb25seQ==";

  private static final PemFiles TLS = PemFiles.selfSigned(tempDirectory(), BOUNCE_DOMAIN);

  @DynamicPropertySource
  static void tls(DynamicPropertyRegistry registry) {
    registry.add("mailroom.inbound.tls.certificate", TLS::certificate);
    registry.add("mailroom.inbound.tls.private-key", TLS::privateKey);
  }

  /** Every BounceReceived the context published, in order. */
  static class PublishedBounces {
    final List<BounceReceived> received = new CopyOnWriteArrayList<>();

    @EventListener
    void on(BounceReceived event) {
      received.add(event);
    }
  }

  static class Events {
    @Bean
    PublishedBounces publishedBounces() {
      return new PublishedBounces();
    }
  }

  @Autowired InboundListener listener;
  @Autowired VerpToken tokens;
  @Autowired PublishedBounces published;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void noInboundMessages() {
    jdbc.sql("TRUNCATE inbound_messages").update();
    published.received.clear();
  }

  SmtpClient connect() {
    return SmtpClient.connect(listener.port());
  }

  /** Delivers a message as an MTA would (null sender), on a connection of its own. */
  SmtpClient.Reply deliver(String recipient, byte[] message) throws IOException {
    try (SmtpClient client = connect()) {
      return client.deliver("", recipient, message);
    }
  }

  List<Map<String, Object>> inboundMessages() {
    return jdbc.sql(
            "SELECT outcome, format, kind, email_id, project, envelope_from, envelope_to, raw, size,"
                + " original_message_id FROM inbound_messages ORDER BY id")
        .query()
        .listOfRows();
  }

  double counted(String outcome) {
    var counter = meters.find("mailroom.inbound.messages").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private static Path tempDirectory() {
    try {
      Path directory = Files.createTempDirectory("mailroom-inbound-tls");
      directory.toFile().deleteOnExit();
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
