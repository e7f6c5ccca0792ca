package dev.mailroom.domain;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Checks published records again, so that a record removed later (or a rotation's record published
 * without a verify call) is noticed. Bounded: at most {@code recheck-batch} domains per run, the
 * longest unchecked first, each lookup with its timeout. Replicas may check the same domain twice;
 * that costs DNS queries only.
 */
@Component
class DomainRecheck {

  private static final Logger log = LoggerFactory.getLogger(DomainRecheck.class);

  private final Domains domains;
  private final DomainSettings settings;

  DomainRecheck(Domains domains, DomainSettings settings) {
    this.domains = domains;
    this.settings = settings;
  }

  @Scheduled(
      fixedDelayString = "${mailroom.domains.recheck-interval:6h}",
      initialDelayString = "${mailroom.domains.recheck-interval:6h}")
  void run() {
    List<UUID> due = domains.dueForRecheck(settings.recheckBatch());
    long start = System.nanoTime();
    int checked = 0;
    for (UUID id : due) {
      try {
        domains.checkById(id);
        checked++;
      } catch (RuntimeException e) {
        log.warn("Could not recheck the DNS records of domain {}: {}", id, e.getMessage());
      }
    }
    log.info(
        "Rechecked the DNS records of {} sender domains in {} ms",
        checked,
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }
}
