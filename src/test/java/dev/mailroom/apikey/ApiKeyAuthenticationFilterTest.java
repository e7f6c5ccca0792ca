package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.apikey.ApiKeySettings.Key;
import dev.mailroom.apikey.ApiKeySettings.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContextHolder;

/** What the key filter leaves for the rest of the request: the caller, and its project in logs. */
class ApiKeyAuthenticationFilterTest {

  private static final String KEY = "mr_test_filter";

  private final ApiKeys keys =
      new ApiKeys(
          new ApiKeySettings(
              List.of(
                  new Key(
                      "billing-worker",
                      "billing",
                      ApiKeys.hash(KEY),
                      Set.of(Scope.SEND),
                      List.of(),
                      null)),
              new RateLimit(null, null)));

  @AfterEach
  void clear() {
    SecurityContextHolder.clearContext();
    MDC.clear();
  }

  @Test
  void theRequestsLogsCarryTheKeysProjectAndNameUntilItEnds() throws Exception {
    List<String> during = new ArrayList<>();
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/emails");
    request.addHeader("Authorization", "Bearer " + KEY);

    new ApiKeyAuthenticationFilter(keys, (req, res, e) -> res.sendError(401))
        .doFilter(
            request,
            new MockHttpServletResponse(),
            (req, res) -> {
              during.add(MDC.get("project"));
              during.add(MDC.get("apiKey"));
            });

    assertThat(during).containsExactly("billing", "billing-worker");
    assertThat(MDC.get("project")).isNull();
    assertThat(MDC.get("apiKey")).isNull();
  }

  @Test
  void aKeyWithoutAProjectIsInTheProjectOfItsName() {
    ApiKeys named =
        new ApiKeys(
            new ApiKeySettings(
                List.of(
                    new Key(
                        "status-page",
                        null,
                        ApiKeys.hash(KEY),
                        Set.of(Scope.READ),
                        List.of(),
                        null)),
                new RateLimit(null, null)));

    assertThat(named.authenticate(KEY)).get().extracting(ApiKey::project).isEqualTo("status-page");
  }

  @Test
  void anAdminKeyMayReadEveryProjectButSendsOnlyWithTheSendScope() {
    ApiKey admin =
        new ApiKey("ops", "ops", Set.of(Scope.ADMIN), List.of(), new RateLimit(null, null));

    assertThat(admin.has(Scope.READ)).isTrue();
    assertThat(admin.has(Scope.SEND)).isFalse();
    assertThat(admin.has(Scope.TEMPLATES)).isFalse();
    assertThat(admin.readableProject()).isNull();
    assertThat(new ApiKeyAuthentication(admin).getAuthorities())
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("SCOPE_admin", "SCOPE_read");
  }
}
