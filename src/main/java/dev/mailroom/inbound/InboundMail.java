package dev.mailroom.inbound;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What happens to one message the listener accepted: parse, match, record with the outcome, publish
 * each bounce, count. The record and the events share one transaction, so a failure anywhere leaves
 * nothing behind and the listener answers 451: the sender keeps the message and retries.
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.inbound", name = "port")
class InboundMail {

  private final BounceParser parser;
  private final VerpToken tokens;
  private final BounceMatcher matcher;
  private final InboundMessages messages;
  private final ApplicationEventPublisher events;
  private final TransactionTemplate transaction;
  private final InboundCounters counters;

  InboundMail(
      BounceParser parser,
      ObjectProvider<VerpToken> tokens,
      InboundMessages messages,
      ApplicationEventPublisher events,
      TransactionTemplate transaction,
      InboundCounters counters) {
    this.parser = parser;
    VerpToken verp = tokens.getIfAvailable();
    if (verp == null) {
      throw new IllegalStateException(
          "mailroom.inbound.port is set but mailroom.bounces.domain is not: the listener accepts"
              + " mail for the bounce domain only; set mailroom.bounces.domain and"
              + " mailroom.bounces.secret (MAILROOM_BOUNCES_DOMAIN, MAILROOM_BOUNCES_SECRET)");
    }
    this.tokens = verp;
    this.matcher = new BounceMatcher(verp, messages::emailByMessageId);
    this.messages = messages;
    this.events = events;
    this.transaction = transaction;
    this.counters = counters;
  }

  String domain() {
    return tokens.domain();
  }

  /** Whether the listener takes mail for this recipient: any local part on the bounce domain. */
  boolean accepts(String recipient) {
    return tokens.isBounceDomain(recipient);
  }

  /** What one message was recorded as. */
  record Received(long id, InboundOutcome outcome, List<Bounce> bounces) {}

  Received receive(Envelope envelope, byte[] raw) {
    BounceReport report = parser.parse(raw);
    List<Bounce> bounces = matcher.match(envelope, report);
    InboundOutcome outcome = outcomeOf(report, bounces);
    Received received =
        transaction.execute(
            status -> {
              long id = messages.record(envelope, report, bounces, outcome, raw);
              bounces.forEach(bounce -> events.publishEvent(new BounceReceived(id, bounce)));
              return new Received(id, outcome, bounces);
            });
    counters.count(outcome);
    return received;
  }

  private static InboundOutcome outcomeOf(BounceReport report, List<Bounce> bounces) {
    if (!report.understood()) {
      return InboundOutcome.UNPARSEABLE;
    }
    return bounces.isEmpty() ? InboundOutcome.UNMATCHED : InboundOutcome.MATCHED;
  }
}
