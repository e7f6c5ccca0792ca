package dev.mailroom.delivery;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Recipients a relay refused for good in a batch of results, published inside the transaction that
 * writes those results: a listener that writes (the suppression list) commits with them, in its own
 * single batched statement.
 */
public record RecipientsRefused(List<Refusal> refusals) {

  /** One recipient refused with a permanent reply. */
  public record Refusal(
      UUID emailId,
      String project,
      String address,
      int replyCode,
      @Nullable String enhancedCode,
      String reply) {}
}
