package dev.mailroom.suppression;

import dev.mailroom.delivery.RecipientsRefused;
import java.util.List;
import java.util.Objects;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Suppresses addresses the relay said do not exist (5.1.1, 5.1.10) or are disabled (5.2.1), in the
 * same transaction as the dispatcher's results and in one statement for the whole batch.
 */
@Component
class RefusalSuppression {

  private final SuppressionList list;

  RefusalSuppression(SuppressionList list) {
    this.list = list;
  }

  @EventListener
  void on(RecipientsRefused refused) {
    List<SuppressionList.Automatic> rows =
        refused.refusals().stream()
            .map(
                r -> {
                  SuppressionReason reason =
                      SuppressionReason.ofRefusal(r.replyCode(), r.enhancedCode());
                  return reason == null
                      ? null
                      : new SuppressionList.Automatic(
                          r.project(), r.address(), reason, r.reply(), r.emailId());
                })
            .filter(Objects::nonNull)
            .toList();
    list.suppressAll(rows);
  }
}
