package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

class RequestSizeLimitTest {

  private final RequestSizeLimit filter =
      new RequestSizeLimit(
          List.of(
              BodyLimit.everyRequest(DataSize.ofBytes(100)),
              BodyLimit.forPath("/big", DataSize.ofBytes(1000))),
          JsonMapper.builder().build());

  @Test
  void aPathWithALimitOfItsOwnAcceptsBodiesUpToIt() throws Exception {
    MockHttpServletResponse response = post("/app", "/app/big", 500);

    assertThat(response.getStatus()).isEqualTo(200);
  }

  @Test
  void anyOtherPathGetsTheLimitOfEveryRequest() throws Exception {
    MockHttpServletResponse response = post("/app", "/app/big/", 500);

    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(response.getContentType()).isEqualTo("application/problem+json");
    assertThat(response.getContentAsString())
        .contains("\"title\":\"Request too large\"")
        .contains("The request body is larger than the limit of 100 bytes");
  }

  @Test
  void limitsWithoutOneForEveryRequestAreRefusedAtStartup() {
    assertThatThrownBy(
            () ->
                new RequestSizeLimit(
                    List.of(BodyLimit.forPath("/big", DataSize.ofBytes(1000))),
                    JsonMapper.builder().build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("for every request");
  }

  private MockHttpServletResponse post(String contextPath, String uri, int length)
      throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", uri);
    request.setContextPath(contextPath);
    request.setContent(new byte[length]);
    MockHttpServletResponse response = new MockHttpServletResponse();
    filter.doFilter(request, response, new MockFilterChain());
    return response;
  }
}
