package dev.mailroom.suppression;

import dev.mailroom.email.RecipientStatus;
import dev.mailroom.inbound.Bounce;
import dev.mailroom.inbound.BounceReceived;
import java.sql.Types;
import java.util.List;
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

  BounceApplier(JdbcClient jdbc, SuppressionList suppressions) {
    this.jdbc = jdbc;
    this.suppressions = suppressions;
  }

  /*
   * Events (email.bounced, email.complained, email.delivery_delayed, email.suppressed) belong here,
   * in this same transaction, once the events room records them: the applied rows and the
   * suppressions written are what they report.
   */
  @EventListener
  void on(BounceReceived received) {
    Bounce bounce = received.bounce();
    RecipientStatus status = statusAfter(bounce.kind());
    if (status == null) {
      return;
    }
    if (bounce.recipientPosition() == null && bounce.recipientAddress() == null) {
      return;
    }
    List<Applied> applied = apply(bounce, status);
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

  private record Applied(String project, String address) {}

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
            RETURNING e.project, r.address
            """)
        .param("status", status.name())
        .param("kind", bounce.kind().name())
        .param("code", bounce.status(), Types.VARCHAR)
        .param("diagnostic", shorten(bounce.diagnostic()), Types.VARCHAR)
        .param("email", bounce.emailId())
        .param("position", bounce.recipientPosition(), Types.INTEGER)
        .param("address", bounce.recipientAddress(), Types.VARCHAR)
        .param("from", from.toArray(String[]::new))
        .query((rs, n) -> new Applied(rs.getString("project"), rs.getString("address")))
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
