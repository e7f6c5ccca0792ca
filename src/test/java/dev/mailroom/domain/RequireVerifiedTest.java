package dev.mailroom.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api.Response;
import dev.mailroom.support.DkimVerification;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.apache.james.jdkim.api.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With {@code require-verified}, only verified domains of the project may send; with {@code
 * sign-subdomains}, a subdomain is signed with its parent's key; the periodic recheck notices a
 * record that was removed.
 */
@TestPropertySource(
    properties = {
      "mailroom.domains.require-verified=true",
      "mailroom.domains.sign-subdomains=true"
    })
class RequireVerifiedTest extends ScriptedRelayTest {

  static final TestDnsServer dns = new TestDnsServer();

  @Autowired DomainRecheck recheck;

  @DynamicPropertySource
  static void resolver(DynamicPropertyRegistry registry) {
    registry.add("mailroom.domains.dns-resolver", dns::address);
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @BeforeEach
  void noDomains() {
    dns.clear();
    for (JsonNode domain : api.get("/domains").body().path("domains")) {
      api.send(
          HttpRequest.newBuilder(api.uri("/domains/" + domain.path("name").asString()))
              .DELETE()
              .build());
    }
  }

  private Response send(String from) {
    return api.post(
        "/emails",
        """
        {"from": "%s", "to": [{"email": "buyer@customer.example"}], "subject": "Hi", "text": "Hello"}
        """
            .formatted(from));
  }

  private JsonNode verifiedDomain(String name) {
    JsonNode domain = api.post("/domains", "{\"name\": \"" + name + "\"}").body();
    for (JsonNode record : domain.path("records")) {
      if (record.path("type").asString().equals("TXT")) {
        dns.txt(record.path("name").asString(), record.path("value").asString());
      }
    }
    JsonNode verified = api.post("/domains/" + name + "/verify", "").body();
    assertThat(verified.path("state").asString()).isEqualTo("verified");
    return verified;
  }

  @Test
  void senderOutsideTheProjectsDomainsIsRefusedNamingFrom() {
    Response refused = send("orders@elsewhere.example");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("errors").get(0).path("pointer").asString()).isEqualTo("/from");
    assertThat(refused.body().path("errors").get(0).path("detail").asString())
        .contains("elsewhere.example");
    assertThat(count("emails")).isZero();
  }

  @Test
  void unverifiedDomainIsRefused() {
    api.post("/domains", "{\"name\": \"acme.example\"}");

    Response refused = send("orders@acme.example");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("errors").get(0).path("detail").asString())
        .contains("not verified");
  }

  @Test
  void verifiedDomainSendsAndItsSubdomainIsSignedWithItsKey() {
    verifiedDomain("acme.example");

    assertThat(send("orders@acme.example").status()).isEqualTo(202);
    assertThat(send("news@mail.acme.example").status()).isEqualTo(202);

    byte[] fromSubdomain = relay.awaitReceived(2, Duration.ofSeconds(10)).get(1).data();
    assertThat(DkimVerification.signatureFields(fromSubdomain).get(0)).contains("d=acme.example");
    List<Result> results = DkimVerification.verifyRsa(fromSubdomain, dns::txtValues);
    assertThat(results).isNotEmpty().allMatch(Result::isSuccess);
  }

  @Test
  void recheckNoticesARemovedRecordAndSendingStops() {
    JsonNode domain = verifiedDomain("acme.example");
    String dkimName = domain.path("records").get(0).path("name").asString();
    dns.remove(dkimName);

    recheck.run();

    JsonNode after = api.get("/domains/acme.example").body();
    assertThat(after.path("state").asString()).isEqualTo("unverified");
    assertThat(after.path("records").get(0).path("state").asString()).isEqualTo("missing");
    assertThat(send("orders@acme.example").status()).isEqualTo(403);
  }
}
