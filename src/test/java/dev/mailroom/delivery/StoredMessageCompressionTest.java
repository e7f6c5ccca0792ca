package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Stored messages are compressed with lz4 where the server has it (V53), and the migration leaves a
 * server without it on pglz instead of failing. Which of the two this database is decides what is
 * expected: the embedded PostgreSQL of the tests is built without lz4, the PostgreSQL images and
 * packages with it.
 */
class StoredMessageCompressionTest extends HandBuiltDispatcherTest {

  @Test
  void aStoredMessageIsCompressedWithLz4WhereTheServerHasIt() {
    boolean lz4 =
        jdbc.sql("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
            .query((rs, n) -> List.of((String[]) rs.getArray(1).getArray()))
            .single()
            .contains("lz4");
    UUID id = accept("compressed@example.com");

    String column =
        jdbc.sql(
                "SELECT attcompression::text FROM pg_attribute"
                    + " WHERE attrelid = 'emails'::regclass AND attname = 'mime'")
            .query(String.class)
            .single();
    String stored =
        jdbc.sql("SELECT pg_column_compression(mime) FROM emails WHERE id = :id")
            .param("id", id)
            .query(String.class)
            .optional()
            .orElse(null);
    byte[] mime =
        jdbc.sql("SELECT mime FROM emails WHERE id = :id")
            .param("id", id)
            .query(byte[].class)
            .single();

    assertThat(new String(mime, java.nio.charset.StandardCharsets.US_ASCII))
        .contains("compressed@example.com");
    if (lz4) {
      assertThat(column).isEqualTo("l");
      // A message too small to compress is stored as it is, and then has no method at all.
      assertThat(stored).isIn("lz4", null);
    } else {
      assertThat(column).isEmpty();
      assertThat(stored).isIn("pglz", null);
    }
  }
}
