package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SendEmailRequestTest {

  @Test
  void absentScheduleFieldsLeaveTheIdempotencyHashInputAsItWas() {
    SendEmailRequest request =
        new SendEmailRequest(
            null,
            List.of(EmailAddress.parse("a@example.com")),
            null,
            null,
            null,
            "s",
            null,
            "t",
            null,
            null,
            null,
            null,
            null);

    String json = JsonMapper.builder().build().writeValueAsString(request);

    assertThat(json)
        .contains("\"metadata\":null")
        .doesNotContain("sendAt", "expiresAt", "priority");
  }
}
