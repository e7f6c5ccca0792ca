package dev.mailroom.delivery;

import dev.mailroom.email.EmailStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Queue depth by status and the age of the oldest due email, read from the outbox on a schedule so
 * a scrape never queries the database. The oldest-due age is the one to alert on: it grows when
 * nothing is being delivered, whatever the reason.
 */
@Component
class OutboxMetrics {

  private static final Logger log = LoggerFactory.getLogger(OutboxMetrics.class);

  /**
   * Settled emails are counted by the delivery counters; counting them here would scan the table.
   */
  private static final EmailStatus[] UNSETTLED = {
    EmailStatus.SCHEDULED, EmailStatus.QUEUED, EmailStatus.DEFERRED, EmailStatus.SENDING
  };

  private final JdbcClient jdbc;
  private final Map<EmailStatus, AtomicLong> depth = new EnumMap<>(EmailStatus.class);
  private final AtomicLong oldestDueSeconds = new AtomicLong();

  OutboxMetrics(JdbcClient jdbc, MeterRegistry meters) {
    this.jdbc = jdbc;
    for (EmailStatus status : UNSETTLED) {
      AtomicLong value = new AtomicLong();
      depth.put(status, value);
      Gauge.builder("mailroom.outbox.emails", value, AtomicLong::get)
          .description("Emails waiting in the outbox, by status")
          .tag("status", status.name())
          .register(meters);
    }
    Gauge.builder("mailroom.outbox.oldest.due.age", oldestDueSeconds, AtomicLong::get)
        .description("Seconds since the oldest due, undelivered email became due")
        .baseUnit("seconds")
        .register(meters);
  }

  @Scheduled(fixedDelayString = "${mailroom.metrics.outbox-refresh:15s}", initialDelayString = "5s")
  void refresh() {
    try {
      Map<EmailStatus, Long> counts = new EnumMap<>(EmailStatus.class);
      // Every waiting or sending email has a due time; naming it lets the count read
      // emails_due_idx, which serves only statements that name due_at (V55).
      jdbc.sql(
              """
              SELECT status, count(*) AS n FROM emails
               WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING')
                 AND due_at IS NOT NULL
               GROUP BY status
              """)
          .query(
              rs -> {
                counts.put(EmailStatus.valueOf(rs.getString("status")), rs.getLong("n"));
              });
      depth.forEach((status, value) -> value.set(counts.getOrDefault(status, 0L)));
      Long oldest =
          jdbc.sql(
                  """
                  SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(due_at)), 0)::bigint FROM emails
                   WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING') AND due_at <= now()
                  """)
              .query(Long.class)
              .single();
      oldestDueSeconds.set(oldest == null ? 0 : oldest);
    } catch (DataAccessException e) {
      log.debug("Outbox metrics not refreshed: {}", e.getMessage());
    }
  }
}
