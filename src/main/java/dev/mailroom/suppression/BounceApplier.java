package dev.mailroom.suppression;

import dev.mailroom.email.RecipientStatus;
import dev.mailroom.event.EmailEvent;
import dev.mailroom.event.EmailEventType;
import dev.mailroom.event.EmailEvents;
import dev.mailroom.inbound.Bounce;
import dev.mailroom.inbound.BounceReceived;
import java.sql.Types;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Applies a bounce or complaint to the recipient it is about, within the transaction that records
 * the inbound message: a hard or soft bounce makes the recipient BOUNCED, a complaint COMPLAINED,
 * each with the status code, diagnostic and time; a hard bounce and a complaint also suppress the
 * address in the email's project. The email keeps its status (SENT: it was handed over). A delayed
 * DSN changes nothing about the recipient; the inbound message records it.
 *
 * <p>A bounce matched by its VERP token names the recipient's position, which the token's MAC
 * vouches for. One matched by the returned Message-ID only names an address, taken from the report:
 * it is applied only to a recipient of that email with that address, so a report cannot touch (or
 * suppress) an address the email was not sent to.
 */
@Component
class BounceApplier {

  private final JdbcClient jdbc;
  private final SuppressionList suppressions;
  private final EmailEvents events;

  BounceApplier(JdbcClient jdbc, SuppressionList suppressions, EmailEvents events) {
    this.jdbc = jdbc;
    this.suppressions = suppressions;
    this.events = events;
  }

  /**
   * Applies one report, and records what it changed as events (email.bounced, email.complained,
   * email.delivery_delayed) in the same transaction as the inbound message's row.
   */
  @EventListener
  void on(BounceReceived received) {
    Bounce bounce = received.bounce();
    if (bounce.kind() == Bounce.Kind.DELAYED) {
      delayed(bounce);
      return;
    }
    RecipientStatus status = statusAfter(bounce.kind());
    if (status == null) {
      return;
    }
    if (bounce.recipientPosition() == null && bounce.recipientAddress() == null) {
      return;
    }
    List<Applied> applied = apply(bounce, status);
    EmailEventType type =
        status == RecipientStatus.COMPLAINED ? EmailEventType.COMPLAINED : EmailEventType.BOUNCED;
    Instant now = Instant.now();
    events.record(
        applied.stream()
            .map(
                a ->
                    new EmailEvent(
                        a.project(), bounce.emailId(), a.position(), type, now, facts(bounce)))
            .toList());
    SuppressionReason reason = suppressionFor(bounce.kind());
    if (reason != null) {
      suppressions.suppressAll(
          applied.stream()
              .map(
                  a ->
                      new SuppressionList.Automatic(
                          a.project(), a.address(), reason, detail(bounce), bounce.emailId()))
              .toList());
    }
  }

  private record Applied(String project, String address, int position) {}

  /** A delayed notice changes no recipient: it is only told, as email.delivery_delayed. */
  private void delayed(Bounce bounce) {
    jdbc.sql("SELECT project FROM emails WHERE id = :email")
        .param("email", bounce.emailId())
        .query(String.class)
        .optional()
        .ifPresent(
            project ->
                events.record(
                    List.of(
                        new EmailEvent(
                            project,
                            bounce.emailId(),
                            bounce.recipientPosition(),
                            EmailEventType.DELIVERY_DELAYED,
                            Instant.now(),
                            facts(bounce)))));
  }

  /** What a webhook consumer learns of the report. */
  private static Map<String, @Nullable Object> facts(Bounce bounce) {
    Map<String, @Nullable Object> facts = new LinkedHashMap<>();
    facts.put("kind", bounce.kind().name());
    facts.put("enhancedCode", bounce.status());
    facts.put("diagnostic", shorten(bounce.diagnostic()));
    if (bounce.recipientAddress() != null) {
      facts.put("address", bounce.recipientAddress());
    }
    return facts;
  }

  /**
   * Updates the recipient when it is in a state the report can follow: a bounce follows an
   * acceptance (or an earlier bounce, when the remote side reports twice); a complaint follows
   * either. A report about a recipient we never handed over is ignored.
   */
  private List<Applied> apply(Bounce bounce, RecipientStatus status) {
    List<String> from =
        status == RecipientStatus.COMPLAINED
            ? List.of("ACCEPTED", "BOUNCED", "COMPLAINED")
            : List.of("ACCEPTED", "BOUNCED");
    return jdbc.sql(
            """
            UPDATE email_recipients r
               SET status = :status, bounce_kind = :kind, bounce_status = :code,
                   bounce_diagnostic = :diagnostic, bounced_at = now(), updated_at = now()
              FROM emails e
             WHERE e.id = r.email_id AND r.email_id = :email
               AND (r.position = CAST(:position AS smallint)
                    OR (CAST(:position AS smallint) IS NULL AND lower(r.address) = lower(:address)))
               AND r.status = ANY(:from)
            RETURNING e.project, r.address, r.position
            """)
        .param("status", status.name())
        .param("kind", bounce.kind().name())
        .param("code", bounce.status(), Types.VARCHAR)
        .param("diagnostic", shorten(bounce.diagnostic()), Types.VARCHAR)
        .param("email", bounce.emailId())
        .param("position", bounce.recipientPosition(), Types.INTEGER)
        .param("address", bounce.recipientAddress(), Types.VARCHAR)
        .param("from", from.toArray(String[]::new))
        .query(
            (rs, n) ->
                new Applied(
                    rs.getString("project"), rs.getString("address"), rs.getInt("position")))
        .list();
  }

  private static @Nullable RecipientStatus statusAfter(Bounce.Kind kind) {
    return switch (kind) {
      case HARD, SOFT -> RecipientStatus.BOUNCED;
      case COMPLAINT -> RecipientStatus.COMPLAINED;
      case DELAYED, UNKNOWN -> null;
    };
  }

  /** A soft bounce says nothing bad about the address: only this email did not arrive. */
  private static @Nullable SuppressionReason suppressionFor(Bounce.Kind kind) {
    return switch (kind) {
      case HARD -> SuppressionReason.HARD_BOUNCE;
      case COMPLAINT -> SuppressionReason.COMPLAINT;
      default -> null;
    };
  }

  private static String detail(Bounce bounce) {
    String diagnostic = shorten(bounce.diagnostic());
    if (bounce.status() == null) {
      return diagnostic == null ? bounce.kind().name() : diagnostic;
    }
    return diagnostic == null ? bounce.status() : bounce.status() + " " + diagnostic;
  }

  private static @Nullable String shorten(@Nullable String text) {
    return text == null || text.length() <= 1000 ? text : text.substring(0, 1000);
  }
}
