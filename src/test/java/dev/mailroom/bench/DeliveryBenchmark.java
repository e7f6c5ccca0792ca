package dev.mailroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.email.EmailIntake;
import dev.mailroom.email.SendEmailRequest;
import dev.mailroom.email.SendEmailRequests;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Measures, never asserts speed: run with {@code ./mvnw test -Dtest=DeliveryBenchmark
 * -Dbenchmark.excluded=none}. Excluded from {@code ./mvnw verify}. Prints latency at light load
 * (POST to SENT) and end-to-end throughput (a backlog drained through the dispatcher to a real SMTP
 * server in process).
 */
@Tag("benchmark")
@TestPropertySource(
    properties = {
      "mailroom.delivery.concurrency=8",
      "mailroom.delivery.batch-size=50",
      "mailroom.smtp.relays[0].max-connections=8"
    })
class DeliveryBenchmark extends ScriptedRelayTest {

  static final String BODY =
      "{\"to\":[\"bench@example.com\"],\"template\":\"welcome\",\"variables\":{\"name\":\"Ada\","
          + "\"productName\":\"Acme\",\"actionUrl\":\"https://acme.example/start\"}}";

  @Autowired EmailIntake intake;

  @Test
  void latencyAtLightLoad() throws Exception {
    warmUp();
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long started = System.nanoTime();
      String id = api.post("/emails", BODY).body().path("id").asString();
      while (!"SENT".equals(status(id))) {
        Thread.sleep(0, 200_000);
      }
      millis.add((System.nanoTime() - started) / 1e6);
      Thread.sleep(20);
    }
    Collections.sort(millis);
    System.out.printf(
        Locale.ROOT,
        "BENCHMARK latency POST->SENT over %d emails: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        millis.size(),
        pct(millis, 50),
        pct(millis, 90),
        pct(millis, 99),
        millis.get(millis.size() - 1));
  }

  @Test
  void throughputOfABacklog() throws Exception {
    warmUp();
    int emails = Integer.getInteger("benchmark.emails", 20_000);
    // Intake through the service layer from 4 threads, as 4 HTTP workers would.
    ExecutorService callers = Executors.newFixedThreadPool(4);
    long intakeStarted = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int offset = t;
      futures.add(
          callers.submit(
              () -> {
                for (int i = offset; i < emails; i += 4) {
                  intake.accept("bench", request(i), null);
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double intakeSeconds = (System.nanoTime() - intakeStarted) / 1e9;
    callers.shutdown();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (sent() < emails && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    double totalSeconds = (System.nanoTime() - intakeStarted) / 1e9;
    assertThat(sent()).isEqualTo(emails);
    System.out.printf(
        Locale.ROOT,
        "BENCHMARK %d emails (~%d bytes each): intake %.0f/s; accepted-to-all-SENT %.1f s = %.0f emails/s end to end%n",
        emails,
        relay.received().get(0).data().length,
        emails / intakeSeconds,
        totalSeconds,
        emails / totalSeconds);
  }

  private void warmUp() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      api.post("/emails", BODY);
    }
    while (sent() < 200) {
      Thread.sleep(20);
    }
    jdbc.sql("TRUNCATE emails CASCADE").update();
    relay.reset();
  }

  private static SendEmailRequest request(int i) {
    return SendEmailRequests.to("user" + i + "@example.com")
        .template(
            "welcome",
            java.util.Map.of(
                "name",
                "User " + i,
                "productName",
                "Acme",
                "actionUrl",
                "https://acme.example/start"))
        .tags("bench")
        .build();
  }

  private String status(String id) {
    return jdbc.sql("SELECT status FROM emails WHERE id = :id::uuid")
        .param("id", id)
        .query(String.class)
        .single();
  }

  private long sent() {
    return jdbc.sql("SELECT count(*) FROM emails WHERE status = 'SENT'").query(Long.class).single();
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
