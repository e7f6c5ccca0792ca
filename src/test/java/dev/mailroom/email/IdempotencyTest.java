package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

class IdempotencyTest extends ScriptedRelayTest {

  static final String BODY =
      "{\"to\":[\"a@example.com\"],\"subject\":\"Receipt\",\"text\":\"Paid\"}";

  @Autowired TransactionTemplate transaction;

  @Test
  void sameKeyAndBodyReturnsTheOriginalEmail() {
    Api.Response first = api.post("/emails", BODY, "Idempotency-Key", "order-1001");
    Api.Response second =
        api.post("/emails", BODY.replace(",", ", "), "Idempotency-Key", "order-1001");

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.body().path("id").asString()).isEqualTo(first.body().path("id").asString());
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(count("emails")).isEqualTo(1);
  }

  @Test
  void sameKeyWithADifferentBodyIs422() {
    api.post("/emails", BODY, "Idempotency-Key", "order-1002");
    Api.Response second =
        api.post("/emails", BODY.replace("Paid", "Refunded"), "Idempotency-Key", "order-1002");

    assertThat(second.status()).isEqualTo(422);
    assertThat(second.body().path("errors").get(0).path("header").asString())
        .isEqualTo("Idempotency-Key");
    assertThat(count("emails")).isEqualTo(1);
  }

  @Test
  void aConcurrentRequestWithTheSameKeyIs409() {
    // Hold the key (in the test key's project) as an in-flight request would, then send the
    // duplicate meanwhile.
    Api.Response[] duplicate = new Api.Response[1];
    transaction.executeWithoutResult(
        tx -> {
          jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('test order-1003', 0))")
              .query()
              .singleRow();
          duplicate[0] = api.post("/emails", BODY, "Idempotency-Key", "order-1003");
        });

    assertThat(duplicate[0].status()).isEqualTo(409);
    assertThat(duplicate[0].contentType()).startsWith("application/problem+json");
    assertThat(count("emails")).isZero();
    assertThat(api.post("/emails", BODY, "Idempotency-Key", "order-1003").status()).isEqualTo(202);
  }

  @Test
  void differentKeysMakeDifferentEmails() {
    Api.Response first = api.post("/emails", BODY, "Idempotency-Key", "k-1");
    Api.Response second = api.post("/emails", BODY, "Idempotency-Key", "k-2");

    assertThat(first.body().path("id").asString())
        .isNotEqualTo(second.body().path("id").asString());
    assertThat(count("emails")).isEqualTo(2);
  }

  @Test
  void invalidKeyIs400() {
    Api.Response response = api.post("/emails", BODY, "Idempotency-Key", "x".repeat(300));

    assertThat(response.status()).isEqualTo(400);
    assertThat(count("emails")).isZero();
  }
}
