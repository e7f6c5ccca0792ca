package dev.mailroom.suppression;

import org.jspecify.annotations.Nullable;

/** Why an address is suppressed. */
public enum SuppressionReason {
  /** A bounce with a permanent (5.x.x) status came back after the relay accepted the email. */
  HARD_BOUNCE,
  /** The recipient reported an email as spam or abuse (a feedback report). */
  COMPLAINT,
  /** The relay refused the recipient with 5.1.1 (no such mailbox) or 5.1.10 (no such address). */
  MAILBOX_UNKNOWN,
  /** The relay refused the recipient with 5.2.1: the mailbox is disabled. */
  MAILBOX_DISABLED,
  /** Added through {@code PUT /suppressions/{address}}. */
  MANUAL;

  /**
   * What a relay's synchronous permanent refusal of a recipient means for its address, by the
   * enhanced status code: only codes that say the mailbox does not exist, or is disabled, suppress
   * it. Anything else (policy, spam filters, a full mailbox) may pass next time.
   */
  static @Nullable SuppressionReason ofRefusal(int replyCode, @Nullable String enhancedCode) {
    if (replyCode < 500 || replyCode >= 600 || enhancedCode == null) {
      return null;
    }
    return switch (enhancedCode) {
      case "5.1.1", "5.1.10" -> MAILBOX_UNKNOWN;
      case "5.2.1" -> MAILBOX_DISABLED;
      default -> null;
    };
  }
}
