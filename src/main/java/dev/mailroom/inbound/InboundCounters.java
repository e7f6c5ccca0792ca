package dev.mailroom.inbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/** {@code mailroom.inbound.messages}, by outcome: how much of what arrives we understand. */
@Component
class InboundCounters {

  private final Map<InboundOutcome, Counter> counters = new EnumMap<>(InboundOutcome.class);

  InboundCounters(MeterRegistry meters) {
    for (InboundOutcome outcome : InboundOutcome.values()) {
      counters.put(
          outcome,
          Counter.builder("mailroom.inbound.messages")
              .description(
                  "Messages mailed to the bounce domain: matched to an email, unmatched,"
                      + " unparseable, or refused in the SMTP session")
              .tag("outcome", outcome.tag())
              .register(meters));
    }
  }

  void count(InboundOutcome outcome) {
    counters.get(outcome).increment();
  }
}
