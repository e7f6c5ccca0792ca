package dev.mailroom.inbound;

import dev.mailroom.inbound.Bounce.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The {@code inbound_messages} table, and the one question inbound asks of the outbox. */
@Repository
class InboundMessages {

  private final JdbcClient jdbc;
  private final JsonMapper json;

  InboundMessages(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Records one message; {@code raw} is stored only for a message that was not matched. A matched
   * message belongs to the project of its email (read in the same statement); an unmatched one, or
   * one whose email retention already deleted, to none.
   */
  long record(
      Envelope envelope,
      BounceReport report,
      List<Bounce> bounces,
      InboundOutcome outcome,
      byte[] raw) {
    Kind kind =
        (bounces.isEmpty()
                ? report.recipients().stream().map(BounceReport.RecipientReport::kind)
                : bounces.stream().map(Bounce::kind))
            .min(Enum::compareTo)
            .orElse(null);
    return jdbc.sql(
            """
            INSERT INTO inbound_messages (received_at, remote_address, helo, envelope_from,
                                          envelope_to, outcome, format, kind, email_id, project,
                                          original_message_id, bounces, detail, size, raw)
            VALUES (:receivedAt, :remoteAddress, :helo, :from, :to, :outcome, :format, :kind,
                    :emailId, (SELECT project FROM emails WHERE id = :emailId),
                    :messageId, CAST(:bounces AS jsonb), :detail, :size, :raw)
            RETURNING id
            """)
        .param("receivedAt", java.sql.Timestamp.from(envelope.receivedAt()))
        .param("remoteAddress", text(envelope.remoteAddress()))
        .param("helo", text(envelope.helo()))
        .param("from", text(envelope.sender()))
        .param(
            "to", envelope.recipients().stream().map(InboundMessages::text).toArray(String[]::new))
        .param("outcome", outcome.name())
        .param("format", report.format().name())
        .param("kind", kind == null ? null : kind.name())
        .param("emailId", bounces.isEmpty() ? null : bounces.get(0).emailId())
        .param("messageId", text(report.originalMessageId()))
        .param("bounces", text(json.writeValueAsString(bounces)))
        .param("detail", text(report.detail()))
        .param("size", raw.length)
        .param("raw", outcome == InboundOutcome.MATCHED ? null : raw)
        .query(Long.class)
        .single();
  }

  /** The email stored with this Message-ID: the fallback match of a report without a token. */
  Optional<UUID> emailByMessageId(String messageId) {
    return jdbc.sql("SELECT id FROM emails WHERE message_id = :messageId")
        .param("messageId", messageId)
        .query(UUID.class)
        .optional();
  }

  /** Deletes up to {@code limit} of the oldest rows received more than {@code age} ago. */
  int deleteOlderThan(Duration age, int limit) {
    return jdbc.sql(
            """
            DELETE FROM inbound_messages
             WHERE id IN (SELECT id FROM inbound_messages
                           WHERE received_at < now() - :ageMillis * interval '1 millisecond'
                           ORDER BY received_at
                           LIMIT :limit
                           FOR UPDATE SKIP LOCKED)
            """)
        .param("ageMillis", age.toMillis())
        .param("limit", limit)
        .update();
  }

  /**
   * PostgreSQL text cannot hold U+0000 (and jsonb refuses its escape), and whatever a client sent
   * must still be recorded: it becomes U+FFFD.
   */
  private static @Nullable String text(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String cleaned = value.replace('\u0000', '\uFFFD');
    if (cleaned.contains("\\u0000")) {
      cleaned = cleaned.replace("\\u0000", "\\uFFFD");
    }
    return cleaned;
  }
}
