package dev.mailroom.inbound;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes inbound messages older than {@code mailroom.inbound.retention}, in bounded batches, on
 * every replica that purges emails ({@code mailroom.retention.enabled}); SKIP LOCKED lets replicas
 * share the work. Runs whether or not this replica listens: another one may have recorded them.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.retention", name = "enabled", matchIfMissing = true)
class InboundRetention {

  private static final Logger log = LoggerFactory.getLogger(InboundRetention.class);

  private static final int BATCH = 1000;

  /** A run deletes at most this many batches, so it never holds the shared scheduler for long. */
  private static final int MAX_BATCHES = 20;

  private final InboundMessages messages;
  private final InboundSettings settings;

  InboundRetention(InboundMessages messages, InboundSettings settings) {
    this.messages = messages;
    this.settings = settings;
  }

  @Scheduled(
      initialDelayString = "${mailroom.inbound.retention-first-run:1m}",
      fixedDelayString = "${mailroom.inbound.retention-interval:1h}")
  void purge() {
    try {
      int deleted = 0;
      for (int batch = 0; batch < MAX_BATCHES; batch++) {
        int n = messages.deleteOlderThan(settings.retention(), BATCH);
        deleted += n;
        if (n < BATCH) {
          break;
        }
      }
      if (deleted > 0) {
        log.info("Deleted {} inbound messages older than {}", deleted, settings.retention());
      }
    } catch (DataAccessException e) {
      log.warn(
          "Inbound retention failed ({}); retrying later", e.getMostSpecificCause().getMessage());
    }
  }
}
