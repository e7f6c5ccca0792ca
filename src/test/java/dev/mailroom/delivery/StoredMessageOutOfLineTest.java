package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.email.SendEmailRequests;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A message of a few kilobytes is kept out of its email's row (V54), so the claim and the result,
 * which write new versions of the row, do not copy it: the value they leave is the one intake
 * stored. A small message stays in the row. The long one here (2.2 KB, 1.3 KB compressed) is one
 * that PostgreSQL's default would keep in the row.
 */
class StoredMessageOutOfLineTest extends HandBuiltDispatcherTest {

  @Test
  void aMessageOfSomeKilobytesIsStoredOnceOutsideTheRowAndSentAsItWasStored() {
    String body = words(new Random(54), 120);
    UUID id =
        intake
            .accept(
                "test",
                SendEmailRequests.to("long@example.com")
                    .subject("A long one")
                    .html("<p>" + body + "</p>")
                    .build(),
                null)
            .id();
    Long stored = chunkId(id);
    byte[] mime = mime(id);
    assertThat(stored).as("the message's TOAST value").isNotNull();

    Dispatcher dispatcher = start(dispatcher("out-of-line"));
    await("the email SENT")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> "SENT".equals(status(id)));
    dispatcher.stop();

    assertThat(chunkId(id)).as("the same value after the claim and the result").isEqualTo(stored);
    assertThat(mime(id)).isEqualTo(mime);
    List<Received> received = relay.received();
    assertThat(received).hasSize(1);
    assertThat(new String(received.get(0).data(), StandardCharsets.US_ASCII))
        .contains("Subject: A long one")
        .contains(body.substring(0, 60));
  }

  @Test
  void aSmallMessageStaysInTheRow() {
    UUID id = accept("short@example.com");

    assertThat(chunkId(id)).isNull();
    assertThat(new String(mime(id), StandardCharsets.US_ASCII)).contains("Body of short@");
  }

  /** The id of the message's value in the table's TOAST storage; null while it is in the row. */
  private @Nullable Long chunkId(UUID id) {
    List<@Nullable Long> ids =
        jdbc.sql("SELECT pg_column_toast_chunk_id(mime)::bigint FROM emails WHERE id = :id")
            .param("id", id)
            .query((rs, n) -> rs.getObject(1, Long.class))
            .list();
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  private byte[] mime(UUID id) {
    return jdbc.sql("SELECT mime FROM emails WHERE id = :id")
        .param("id", id)
        .query(byte[].class)
        .single();
  }

  /** Text that compresses about as well as prose: words of random letters. */
  private static String words(Random random, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      int length = 2 + random.nextInt(8);
      for (int j = 0; j < length; j++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      text.append(' ');
    }
    return text.toString().trim();
  }
}
