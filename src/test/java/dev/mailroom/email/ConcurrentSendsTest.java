package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Single sends that arrive together are stored together (a few transactions for many emails), and
 * each caller still gets its own email: its id, its row, its recipients, its message at the relay.
 */
class ConcurrentSendsTest extends ScriptedRelayTest {

  private static final int SENDS = 48;

  @Test
  void concurrentSingleSendsEachGetTheirOwnEmailAndShareTransactions() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(SENDS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Api.Response>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < SENDS; i++) {
        int n = i;
        calls.add(
            callers.submit(
                () -> {
                  start.await();
                  return api.post(
                      "/emails",
                      """
                      {"to": ["caller%d@example.com"], "subject": "Caller %d",
                       "text": "For caller %d only"}
                      """
                          .formatted(n, n, n));
                }));
      }
      start.countDown();
      Map<String, Integer> callerOf = new HashMap<>();
      for (int i = 0; i < SENDS; i++) {
        Api.Response response = calls.get(i).get(30, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(202);
        callerOf.put(response.body().path("id").asString(), i);
      }
      assertThat(callerOf).hasSize(SENDS);

      // Each answer names the email its caller sent, committed with its recipient and its event.
      for (Map.Entry<String, Integer> entry : callerOf.entrySet()) {
        int n = entry.getValue();
        Map<String, Object> row =
            jdbc.sql(
                    """
                    SELECT e.subject, r.address,
                           (SELECT count(*) FROM email_events v
                             WHERE v.email_id = e.id AND v.type = 'email.accepted') AS accepted
                      FROM emails e JOIN email_recipients r ON r.email_id = e.id
                     WHERE e.id = CAST(:id AS uuid)
                    """)
                .param("id", entry.getKey())
                .query()
                .singleRow();
        assertThat(row)
            .containsEntry("subject", "Caller " + n)
            .containsEntry("address", "caller" + n + "@example.com")
            .containsEntry("accepted", 1L);
      }
      // Rows written by one transaction share its id (xmin): fewer transactions than emails.
      long transactions =
          jdbc.sql(
                  "SELECT count(DISTINCT xmin::text) FROM emails WHERE id = ANY(CAST(:ids AS uuid[]))")
              .param("ids", callerOf.keySet().toArray(String[]::new))
              .query(Long.class)
              .single();
      assertThat(transactions).isLessThan(SENDS);

      // Each caller's message reaches the relay addressed to that caller alone.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> fromCallers(relay.received()).size() == SENDS);
      for (ScriptedSmtpServer.Received message : fromCallers(relay.received())) {
        assertThat(message.recipients()).hasSize(1);
        String to = message.recipients().get(0);
        String n = to.substring("caller".length(), to.indexOf('@'));
        assertThat(message.text()).contains("For caller " + n + " only");
      }
    } finally {
      callers.shutdownNow();
    }
  }

  private static List<ScriptedSmtpServer.Received> fromCallers(
      List<ScriptedSmtpServer.Received> received) {
    return received.stream().filter(m -> m.recipients().get(0).startsWith("caller")).toList();
  }
}
