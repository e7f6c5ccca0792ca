package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedSmtpServer;
import dev.mailroom.support.TestKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL goes away under load and comes back. The service has a PostgreSQL of its own here,
 * stopped and started again on the same port and data directory, so no other test's database is
 * touched.
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
      // A result lost with the database is sent again once its lease expires.
      "mailroom.delivery.lease-duration=5s",
      "management.server.port=0",
      "mailroom.api-keys[0].name=test",
      "mailroom.api-keys[0].hash=" + TestKeys.ALL_SCOPES_HASH,
      "mailroom.api-keys[0].scopes=send,read,templates"
    })
class DatabaseOutageTest {

  static final RestartablePostgres postgres = new RestartablePostgres();
  static final ScriptedSmtpServer relay = new ScriptedSmtpServer();

  @LocalServerPort int port;

  @TestConfiguration(proxyBeanMethods = false)
  static class OwnDatabase {
    @Bean
    JdbcConnectionDetails outageDatabase() {
      String url = postgres.jdbcUrl();
      return new JdbcConnectionDetails() {
        @Override
        public String getJdbcUrl() {
          return url;
        }

        @Override
        public String getUsername() {
          return "postgres";
        }

        @Override
        public String getPassword() {
          return "postgres";
        }
      };
    }
  }

  @DynamicPropertySource
  static void scriptedRelay(DynamicPropertyRegistry registry) {
    registry.add("mailroom.smtp.relays[0].name", () -> "test-relay");
    registry.add("mailroom.smtp.relays[0].host", () -> "localhost");
    registry.add("mailroom.smtp.relays[0].port", relay::port);
    registry.add("mailroom.smtp.relays[0].tls-mode", () -> "NONE");
    registry.add("mailroom.smtp.relays[0].read-timeout", () -> "5s");
  }

  @AfterAll
  static void stopServers() {
    relay.close();
    postgres.destroy();
  }

  /** One POST as a client saw it. */
  record Sent(boolean afterRestart, Api.Response response, Duration took) {}

  @Test
  void whileTheDatabaseIsDownIntakeAnswers503AndNoAcceptedEmailIsLost() throws Exception {
    Api api = new Api(port);
    Queue<Sent> sent = new ConcurrentLinkedQueue<>();
    Queue<Exception> unanswered = new ConcurrentLinkedQueue<>();
    AtomicBoolean restarted = new AtomicBoolean();
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger sequence = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    for (int c = 0; c < 4; c++) {
      clients.submit(
          () -> {
            while (loading.get()) {
              boolean afterRestart = restarted.get();
              long start = System.nanoTime();
              Api.Response response;
              try {
                response =
                    api.post(
                        "/emails",
                        """
                        {"to": ["user%d@example.com"], "subject": "Code", "text": "Your code"}
                        """
                            .formatted(sequence.incrementAndGet()));
              } catch (RuntimeException e) {
                unanswered.add(e);
                continue;
              }
              sent.add(
                  new Sent(afterRestart, response, Duration.ofNanos(System.nanoTime() - start)));
              sleep(10);
            }
          });
    }

    sleep(1000);
    postgres.stop();
    sleep(4000);
    postgres.start();
    restarted.set(true);
    awaitAccepted(sent, 5, Duration.ofSeconds(30));
    loading.set(false);
    clients.shutdown();
    assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(unanswered).isEmpty();
    List<Sent> all = new ArrayList<>(sent);
    assertThat(all)
        .extracting(s -> s.response().status())
        .containsOnly(202, 503)
        .contains(202, 503);
    for (Sent unavailable : all.stream().filter(s -> s.response().status() == 503).toList()) {
      assertThat(unavailable.response().contentType()).startsWith("application/problem+json");
      assertThat(unavailable.response().header("Retry-After")).isNotBlank();
    }
    // Bounded by the pool's connection timeout: no request hangs on the missing database.
    assertThat(all.stream().map(Sent::took).max(Comparator.naturalOrder()).orElseThrow())
        .isLessThan(Duration.ofSeconds(6));

    Set<String> accepted =
        all.stream()
            .filter(s -> s.response().status() == 202)
            .map(s -> s.response().body().path("id").asString())
            .collect(Collectors.toSet());
    awaitDelivered(accepted, Duration.ofSeconds(90));
    awaitSent(accepted, Duration.ofSeconds(30));
  }

  /**
   * Every accepted email is recorded SENT: a result lost with the database was not lost for good.
   */
  private static void awaitSent(Set<String> ids, Duration timeout) throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FROM emails WHERE id = ANY(?) AND status = 'SENT'")) {
      statement.setArray(
          1, connection.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
      await("accepted emails recorded SENT")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .pollInSameThread()
          .until(
              () -> {
                try (ResultSet rs = statement.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              },
              sent -> sent == ids.size());
    }
  }

  @Test
  void aConnectionLostInTheMiddleOfAnAcceptIsA503() throws Exception {
    Api api = new Api(port);
    try (Connection blocker = DriverManager.getConnection(postgres.jdbcUrl())) {
      // An uncommitted row holding the idempotency key in the test key's project: the request's
      // INSERT waits on it, inside
      // its transaction, until its connection is terminated under it.
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, idempotency_key)
            VALUES (gen_random_uuid(), 'test', 'QUEUED', 'a@example.com', 'a@example.com', 's',
                    'blocker', '\\x00', 'lost-connection')
            """);
      }
      CompletableFuture<Api.Response> response =
          CompletableFuture.supplyAsync(
              () ->
                  api.post(
                      "/emails",
                      "{\"to\": [\"a@example.com\"], \"subject\": \"s\", \"text\": \"t\"}",
                      "Idempotency-Key",
                      "lost-connection"));
      terminateBackendWaitingOnALock();

      assertThat(response.get(30, TimeUnit.SECONDS).status()).isEqualTo(503);
      assertThat(response.get().contentType()).startsWith("application/problem+json");
      assertThat(response.get().header("Retry-After")).isNotBlank();
      blocker.rollback();
    }
  }

  /** Polls from a connection of its own: pg_stat_activity is a snapshot within a transaction. */
  private static void terminateBackendWaitingOnALock() throws SQLException {
    try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl());
        Statement statement = connection.createStatement()) {
      await("the request waiting on the blocking row, terminated")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .pollInSameThread()
          .until(
              () -> {
                try (ResultSet waiting =
                    statement.executeQuery(
                        // A single send's insert starts with its recipients' CTE.
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE"
                            + " wait_event_type = 'Lock' AND query LIKE '%INSERT INTO emails%'")) {
                  return waiting.next();
                }
              });
    }
  }

  private static void awaitAccepted(Queue<Sent> sent, int count, Duration timeout) {
    await("202s after the restart")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                sent.stream().filter(s -> s.afterRestart() && s.response().status() == 202).count()
                    >= count);
  }

  /** Every accepted email reached the relay, found by its Message-ID. */
  private static void awaitDelivered(Set<String> ids, Duration timeout) {
    await("every accepted email delivered")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              Set<String> delivered =
                  relay.received().stream()
                      .flatMap(r -> r.text().lines().filter(l -> l.startsWith("Message-ID: <")))
                      .map(l -> l.substring("Message-ID: <".length(), l.indexOf('@')))
                      .collect(Collectors.toSet());
              assertThat(ids.stream().filter(id -> !delivered.contains(id)))
                  .as("accepted but never delivered, of " + ids.size())
                  .isEmpty();
            });
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An embedded PostgreSQL that can be stopped and started again with its data. */
  static final class RestartablePostgres {
    private final int port = freePort();
    private final Path directory;
    private volatile EmbeddedPostgres server;

    RestartablePostgres() {
      try {
        directory = Files.createTempDirectory("mailroom-outage-pg");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      start();
    }

    String jdbcUrl() {
      return server.getJdbcUrl("postgres", "postgres");
    }

    void start() {
      try {
        server =
            EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "off")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void stop() {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void destroy() {
      stop();
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static int freePort() {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
