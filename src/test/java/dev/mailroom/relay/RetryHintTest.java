package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryHintTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "451 4.7.1 Greylisted, please try again in 120 seconds | PT2M",
        "450 4.2.0 Rate limited, retry after 2 minutes | PT2M",
        "421 4.7.0 Try again later in 5 min | PT5M",
        "450 4.2.0 Recipient address rejected: Greylisted for 300 seconds | PT5M",
        "451 4.3.0 Temporary failure, please retry in 30s | PT30S",
        "452 4.2.2 Mailbox busy; try again after 1 hour | PT1H"
      })
  void delayNamedByATransientReplyIsRead(String reply, Duration expected) {
    assertThat(RetryHint.of(SmtpReply.parse(reply))).contains(expected);
  }

  @Test
  void delayIsCappedAtAnHour() {
    assertThat(RetryHint.of(SmtpReply.parse("451 4.7.1 Try again in 36 hours")))
        .contains(Duration.ofHours(1));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "451 4.3.0 Try again later",
        "451 4.7.500 Server busy. Please try again later from [192.0.2.1]",
        "451 4.3.0 Please retry in 500ms",
        "550 5.7.1 Blocked; try again in 120 seconds",
        "451 4.3.0 Try again in 0 seconds"
      })
  void noDelayIsReadWhenNoneIsNamedOrTheReplyIsNotTransient(String reply) {
    assertThat(RetryHint.of(SmtpReply.parse(reply))).isEmpty();
  }
}
