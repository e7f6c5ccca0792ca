package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {

  @Test
  void parsesCodeEnhancedCodeAndText() {
    SmtpReply reply =
        SmtpReply.parse("550 5.1.1 <ghost@example.com>: Recipient address rejected\r\n");

    assertThat(reply.code()).isEqualTo(550);
    assertThat(reply.enhancedCode()).isEqualTo("5.1.1");
    assertThat(reply.text()).isEqualTo("<ghost@example.com>: Recipient address rejected");
    assertThat(reply.isPermanent()).isTrue();
  }

  @Test
  void replyWithoutEnhancedCode() {
    SmtpReply reply = SmtpReply.parse("451 Try again later");

    assertThat(reply.code()).isEqualTo(451);
    assertThat(reply.enhancedCode()).isNull();
    assertThat(reply.text()).isEqualTo("Try again later");
    assertThat(reply.isTransient()).isTrue();
  }

  @Test
  void multilineReplyBecomesOneLine() {
    SmtpReply reply = SmtpReply.parse("421-4.7.0 Too many connections\r\n421 4.7.0 Try later\r\n");

    assertThat(reply.code()).isEqualTo(421);
    assertThat(reply.text()).isEqualTo("Too many connections Try later");
  }

  @Test
  void separateCodeWinsOverTheText() {
    assertThat(SmtpReply.of(250, "OK queued as 12345").code()).isEqualTo(250);
    assertThat(SmtpReply.of(250, "OK queued as 12345").text()).isEqualTo("OK queued as 12345");
  }

  @Test
  void noReplyHasCodeZero() {
    SmtpReply reply = SmtpReply.noReply("connection refused");

    assertThat(reply.code()).isZero();
    assertThat(reply.line()).isEqualTo("connection refused");
  }
}
