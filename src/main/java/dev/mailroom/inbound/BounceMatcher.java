package dev.mailroom.inbound;

import dev.mailroom.inbound.Bounce.Kind;
import dev.mailroom.inbound.Bounce.MatchedBy;
import dev.mailroom.inbound.BounceReport.RecipientReport;
import dev.mailroom.inbound.VerpToken.Recipient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Ties a report to the emails and recipients it is about. First by VERP token, which carries a MAC
 * and so proves that we sent to that recipient: the envelope recipient the report was mailed to,
 * or, for reports that went elsewhere (feedback loops mail a fixed address), the original sender
 * the report quotes. Failing a token, by the returned message's Message-ID, which must be one we
 * stored; the recipient is then only the address the report gives.
 */
class BounceMatcher {

  /** Failures first: the report about a token's one recipient is the most severe it holds. */
  private static final Comparator<RecipientReport> SEVERITY =
      Comparator.comparingInt(r -> severity(r.kind()));

  private final VerpToken tokens;
  private final Function<String, Optional<UUID>> emailByMessageId;

  /**
   * @param emailByMessageId the id of the email stored with this Message-ID (angle brackets
   *     included), if any
   */
  BounceMatcher(VerpToken tokens, Function<String, Optional<UUID>> emailByMessageId) {
    this.tokens = tokens;
    this.emailByMessageId = emailByMessageId;
  }

  List<Bounce> match(Envelope envelope, BounceReport report) {
    if (!report.understood() || report.recipients().isEmpty()) {
      return List.of();
    }
    Set<Recipient> named = byToken(envelope.recipients());
    if (named.isEmpty()) {
      named = byToken(report.originalSenders());
    }
    if (!named.isEmpty()) {
      RecipientReport worst = report.recipients().stream().min(SEVERITY).orElseThrow();
      List<Bounce> bounces = new ArrayList<>();
      for (Recipient recipient : named) {
        bounces.add(
            bounce(report, worst, recipient.emailId(), recipient.position(), MatchedBy.VERP_TOKEN));
      }
      return List.copyOf(bounces);
    }
    if (report.originalMessageId() == null) {
      return List.of();
    }
    Optional<UUID> email = emailByMessageId.apply(report.originalMessageId());
    if (email.isEmpty()) {
      return List.of();
    }
    return report.recipients().stream()
        .map(r -> bounce(report, r, email.get(), null, MatchedBy.MESSAGE_ID))
        .toList();
  }

  private Set<Recipient> byToken(List<String> addresses) {
    Set<Recipient> named = new LinkedHashSet<>();
    for (String address : addresses) {
      tokens.verify(address).ifPresent(named::add);
    }
    return named;
  }

  private static Bounce bounce(
      BounceReport report,
      RecipientReport recipient,
      UUID emailId,
      @Nullable Integer position,
      MatchedBy matchedBy) {
    return new Bounce(
        recipient.kind(),
        emailId,
        position,
        recipient.address(),
        recipient.status(),
        recipient.diagnostic(),
        recipient.remoteMta(),
        report.reportedBy(),
        matchedBy);
  }

  private static int severity(Kind kind) {
    return switch (kind) {
      case COMPLAINT -> 0;
      case HARD -> 1;
      case SOFT -> 2;
      case DELAYED -> 3;
      case UNKNOWN -> 4;
    };
  }
}
