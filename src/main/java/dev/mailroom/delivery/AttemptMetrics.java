package dev.mailroom.delivery;

import dev.mailroom.relay.SendResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The meters of delivery attempts: send time per relay, attempts by outcome and reply class. */
final class AttemptMetrics {

  private final MeterRegistry meters;

  AttemptMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  void record(SendResult result) {
    Timer.builder("mailroom.delivery.send")
        .description("Time to hand one email to a relay")
        .tag("relay", result.relay())
        .tag("outcome", result.outcome().name())
        .publishPercentileHistogram()
        .register(meters)
        .record(result.duration());
    Counter.builder("mailroom.delivery.attempts")
        .description("Delivery attempts by outcome and SMTP reply class")
        .tag("outcome", result.outcome().name())
        .tag("reply_class", replyClass(result.reply().code()))
        .register(meters)
        .increment();
  }

  private static String replyClass(int code) {
    return code == 0 ? "none" : (code / 100) + "xx";
  }
}
