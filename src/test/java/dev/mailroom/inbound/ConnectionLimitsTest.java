package dev.mailroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;

/** The per-address limits, on a real SMTP server and real connections. */
class ConnectionLimitsTest {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger refused = new AtomicInteger();
  private final List<SmtpClient> clients = new ArrayList<>();
  private SMTPServer server;

  @AfterEach
  void stop() {
    clients.forEach(SmtpClient::close);
    if (server != null) {
      server.stop();
    }
    timer.shutdownNow();
  }

  @Test
  void connectionsFromOneAddressBeyondTheLimitAreRefusedWith421UntilOneCloses() throws Exception {
    start("mailroom.inbound.max-connections-per-address", "2");

    List<SmtpClient> clients = List.of(open(), open(), open());

    // Each session counts itself on its own thread, so which of the three is refused is a race:
    // exactly one is.
    List<Integer> greetings = new ArrayList<>();
    for (SmtpClient client : clients) {
      greetings.add(client.read().code());
    }
    assertThat(greetings).containsExactlyInAnyOrder(220, 220, 421);
    assertThat(refused).hasValue(1);

    clients.get(greetings.indexOf(220)).command("QUIT");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              try (SmtpClient again = SmtpClient.connect(server.getPortAllocated())) {
                assertThat(again.read().code()).isEqualTo(220);
              }
            });
  }

  @Test
  void newConnectionsFromOneAddressBeyondTheRatePerMinuteAreRefusedWith421() throws Exception {
    start("mailroom.inbound.connections-per-minute-per-address", "3");

    List<Integer> greetings = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      try (SmtpClient client = SmtpClient.connect(server.getPortAllocated())) {
        greetings.add(client.read().code());
        client.command("QUIT");
      }
    }

    assertThat(greetings).containsExactly(220, 220, 220, 421);
  }

  @Test
  void sessionIsClosedAfterTheSessionTimeoutHoweverBusy() throws Exception {
    start("mailroom.inbound.session-timeout", "1s");
    SmtpClient client = open();
    assertThat(client.read().code()).isEqualTo(220);

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> closed(client));
  }

  /** A NOOP gets no reply: the server has closed the connection. */
  private static boolean closed(SmtpClient client) {
    try {
      return client.command("NOOP").code() == -1;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private SmtpClient open() {
    SmtpClient client = SmtpClient.connect(server.getPortAllocated());
    clients.add(client);
    return client;
  }

  private void start(String property, String value) {
    InboundSettings settings =
        new Binder(new MapConfigurationPropertySource(java.util.Map.of(property, value)))
            .bindOrCreate("mailroom.inbound", Bindable.of(InboundSettings.class));
    server =
        SMTPServer.port(0)
            .sessionHandler(new ConnectionLimits(settings, timer, refused::incrementAndGet))
            .simpleMessageListener(
                new SimpleMessageListener() {
                  @Override
                  public boolean accept(String from, String recipient) {
                    return true;
                  }

                  @Override
                  public void deliver(String from, String recipient, java.io.InputStream data) {}
                })
            .build();
    server.start();
  }
}
