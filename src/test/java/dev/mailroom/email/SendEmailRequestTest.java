package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SendEmailRequestTest {

  @Test
  void absentScheduleFieldsLeaveTheIdempotencyHashInputAsItWas() {
    SendEmailRequest request = SendEmailRequests.to("a@example.com").subject("s").text("t").build();

    String json = JsonMapper.builder().build().writeValueAsString(request);

    assertThat(json)
        .contains("\"metadata\":null")
        .doesNotContain("sendAt", "expiresAt", "priority");
  }
}
