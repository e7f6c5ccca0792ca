package dev.mailroom.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.Api.Response;
import dev.mailroom.support.DkimVerification;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import dev.mailroom.support.TestKeys;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.apache.james.jdkim.api.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Sender domains as a user meets them: create one, publish its records in a real DNS server,
 * verify, send email from it through a real SMTP server, and check the signature with an
 * independent verifier using the published key.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(
    properties = {
      "mailroom.api-keys[1].name=other",
      "mailroom.api-keys[1].hash=ba47ed95d00d0d0f03ef0baaf7f40cfb43709596fb3758909d46f3798fecce31",
      "mailroom.api-keys[1].scopes=send,read,domains",
      "mailroom.api-keys[2].name=sender",
      "mailroom.api-keys[2].hash=b43cc969557d98f85d4353b3ab668b16eee81626bbe5e20fbe037f98d915d9d1",
      "mailroom.api-keys[2].scopes=send",
      "mailroom.api-keys[3].name=colleague",
      "mailroom.api-keys[3].project=test",
      "mailroom.api-keys[3].hash=c1a88d734ebc51b5c7ad6c8947e9f1d76f68cf16d05a1503d3468ba486cff057",
      "mailroom.api-keys[3].scopes=send,domains",
      "mailroom.domains.spf-include=spf.relay.example",
      "mailroom.domains.inbound-host=inbound.mailroom.example",
      "mailroom.bounces.domain=bounces.mailroom.example",
      "mailroom.bounces.secret=" + TestKeys.DOMAIN_ENCRYPTION_KEY
    })
class DomainsTest extends ScriptedRelayTest {

  static final String OTHER_PROJECT_KEY = "mr_test_other_project";
  static final String SEND_ONLY_KEY = "mr_test_send_only";

  static final TestDnsServer dns = new TestDnsServer();

  @Autowired DomainRepository domains;
  @Autowired KeyVault vault;

  @DynamicPropertySource
  static void resolver(DynamicPropertyRegistry registry) {
    registry.add("mailroom.domains.dns-resolver", dns::address);
    registry.add("mailroom.domains.dns-timeout", () -> "2s");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @BeforeEach
  void noDomains() {
    dns.clear();
    for (JsonNode domain : api.get("/domains").body().path("domains")) {
      delete(api, domain.path("name").asString());
    }
    for (JsonNode domain : api.withKey(OTHER_PROJECT_KEY).get("/domains").body().path("domains")) {
      delete(api.withKey(OTHER_PROJECT_KEY), domain.path("name").asString());
    }
  }

  private Response delete(Api client, String name) {
    return client.send(HttpRequest.newBuilder(client.uri("/domains/" + name)).DELETE().build());
  }

  private Response create(String json) {
    return api.post("/domains", json);
  }

  private static JsonNode record(JsonNode domain, String purpose) {
    for (JsonNode record : domain.path("records")) {
      if (record.path("purpose").asString().equals(purpose)) {
        return record;
      }
    }
    throw new AssertionError("no " + purpose + " record in " + domain);
  }

  private static List<JsonNode> records(JsonNode domain, String purpose) {
    List<JsonNode> found = new ArrayList<>();
    domain
        .path("records")
        .forEach(
            r -> {
              if (r.path("purpose").asString().equals(purpose)) {
                found.add(r);
              }
            });
    return found;
  }

  /** Publishes every record the answer lists, as a user would copy them. */
  private static void publish(JsonNode domain) {
    for (JsonNode record : domain.path("records")) {
      if (record.path("type").asString().equals("MX")) {
        dns.mx(record.path("name").asString(), record.path("value").asString().split(" ")[1]);
      } else {
        dns.txt(record.path("name").asString(), record.path("value").asString());
      }
    }
  }

  private String sendFrom(Api client, String from, String text) {
    Response sent =
        client.post(
            "/emails",
            """
            {"from": "%s", "to": [{"email": "buyer@customer.example"}],
             "subject": "Your order", "text": "%s"}
            """
                .formatted(from, text));
    assertThat(sent.status()).as(sent.body().toString()).isEqualTo(202);
    return sent.body().path("id").asString();
  }

  private static byte[] receivedFor(int count) {
    List<Received> received = relay.awaitReceived(count, Duration.ofSeconds(10));
    return received.get(count - 1).data();
  }

  private static boolean verifies(byte[] message) {
    List<Result> results = DkimVerification.verifyRsa(message, dns::txtValues);
    return !results.isEmpty() && results.stream().allMatch(Result::isSuccess);
  }

  @Test
  void createdDomainListsTheRecordsToPublish() {
    Response created = create("{\"name\": \"acme.example\"}");

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/domains/acme.example");
    JsonNode domain = created.body();
    assertThat(domain.path("state").asString()).isEqualTo("unverified");
    String selector = "mr" + java.time.Year.now(java.time.ZoneOffset.UTC) + "a";
    assertThat(domain.path("keys").get(0).path("selector").asString()).isEqualTo(selector);
    JsonNode dkim = record(domain, "dkim");
    assertThat(dkim.path("type").asString()).isEqualTo("TXT");
    assertThat(dkim.path("name").asString()).isEqualTo(selector + "._domainkey.acme.example");
    assertThat(dkim.path("value").asString()).startsWith("v=DKIM1; k=rsa; p=MIIBIjAN");
    assertThat(dkim.path("state").asString()).isEqualTo("pending");
    assertThat(record(domain, "spf").path("value").asString())
        .isEqualTo("v=spf1 include:spf.relay.example ~all");
    assertThat(record(domain, "return-path").path("name").asString())
        .isEqualTo("bounces.mailroom.example");
    assertThat(record(domain, "return-path").path("value").asString())
        .isEqualTo("10 inbound.mailroom.example");
    assertThat(record(domain, "dmarc").path("name").asString()).isEqualTo("_dmarc.acme.example");
    assertThat(record(domain, "dmarc").path("value").asString()).startsWith("v=DMARC1; p=");
  }

  @Test
  void publishedRecordsVerify() {
    JsonNode domain = create("{\"name\": \"acme.example\"}").body();
    publish(domain);

    Response verified = api.post("/domains/acme.example/verify", "");

    assertThat(verified.status()).isEqualTo(200);
    assertThat(verified.body().path("state").asString()).isEqualTo("verified");
    for (JsonNode record : verified.body().path("records")) {
      assertThat(record.path("state").asString()).as(record.toString()).isEqualTo("verified");
      assertThat(record.path("checkedAt").isMissingNode()).isFalse();
    }
    assertThat(api.get("/domains/acme.example").body().path("state").asString())
        .isEqualTo("verified");
  }

  @Test
  void unpublishedRecordsAreMissingAndWrongOnesAMismatchWithWhatWasFound() {
    create("{\"name\": \"acme.example\"}");
    dns.txt("acme.example", "v=spf1 include:other.example -all");
    dns.txt(
        "mr" + java.time.Year.now(java.time.ZoneOffset.UTC) + "a._domainkey.acme.example",
        "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong");

    JsonNode checked = api.post("/domains/acme.example/verify", "").body();

    assertThat(checked.path("state").asString()).isEqualTo("unverified");
    assertThat(record(checked, "dkim").path("state").asString()).isEqualTo("mismatch");
    assertThat(record(checked, "dkim").path("found").asString()).endsWith("AQEAwrong");
    assertThat(record(checked, "spf").path("state").asString()).isEqualTo("mismatch");
    assertThat(record(checked, "spf").path("found").asString())
        .isEqualTo("v=spf1 include:other.example -all");
    assertThat(record(checked, "dmarc").path("state").asString()).isEqualTo("missing");
    assertThat(record(checked, "return-path").path("state").asString()).isEqualTo("missing");
  }

  @Test
  void emailFromTheDomainArrivesSignedAndVerifiesWithThePublishedKey() {
    publish(create("{\"name\": \"acme.example\"}").body());

    sendFrom(api, "orders@acme.example", "Thank you for your order.");
    byte[] received = receivedFor(1);

    assertThat(verifies(received)).isTrue();
    String tampered =
        new String(received, java.nio.charset.StandardCharsets.ISO_8859_1)
            .replace("Thank you", "Thank yov");
    assertThat(verifies(tampered.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).isFalse();
  }

  @Test
  void aMultiLineBodyStillVerifiesAfterARelayWritesItsLineBreaksAsCrlf() {
    publish(create("{\"name\": \"acme.example\"}").body());

    sendFrom(api, "orders@acme.example", "Thank you for your order.\\n\\nIt ships today.\\n");
    byte[] received = receivedFor(1);
    // What Postfix and other MTAs do to a bare LF before passing the message on.
    byte[] relayed =
        new String(received, java.nio.charset.StandardCharsets.ISO_8859_1)
            .replaceAll("\r?\n", "\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    assertThat(relayed).isEqualTo(received);
    assertThat(verifies(relayed)).isTrue();
  }

  @Test
  void bothAlgorithmsSignTwice() {
    JsonNode domain =
        create("{\"name\": \"acme.example\", \"algorithms\": [\"rsa-sha256\", \"ed25519-sha256\"]}")
            .body();
    assertThat(records(domain, "dkim")).hasSize(2);
    assertThat(records(domain, "dkim").get(1).path("value").asString())
        .startsWith("v=DKIM1; k=ed25519; p=");
    publish(domain);

    sendFrom(api, "orders@acme.example", "Signed twice.");
    byte[] received = receivedFor(1);

    assertThat(DkimVerification.signatureFields(received)).hasSize(2);
    assertThat(verifies(received)).isTrue();
    java.util.Map<String, String> keys = new java.util.HashMap<>();
    records(domain, "dkim")
        .forEach(r -> keys.put(r.path("name").asString(), r.path("value").asString()));
    assertThat(DkimVerification.ed25519Verifies(received, keys)).isTrue();
  }

  @Test
  void emailFromAnotherDomainIsNotSigned() {
    create("{\"name\": \"acme.example\"}");

    sendFrom(api, "someone@elsewhere.example", "Hello");

    assertThat(DkimVerification.signatureFields(receivedFor(1))).isEmpty();
  }

  @Test
  void anotherProjectNeitherSeesNorSignsWithTheDomain() {
    publish(create("{\"name\": \"acme.example\"}").body());
    Api other = api.withKey(OTHER_PROJECT_KEY);

    assertThat(other.get("/domains").body().path("domains")).isEmpty();
    assertThat(other.get("/domains/acme.example").status()).isEqualTo(404);
    assertThat(other.post("/domains/acme.example/verify", "").status()).isEqualTo(404);
    assertThat(other.post("/domains/acme.example/rotate", "").status()).isEqualTo(404);
    assertThat(delete(other, "acme.example").status()).isEqualTo(404);
    sendFrom(other, "orders@acme.example", "Not signed by acme");

    assertThat(DkimVerification.signatureFields(receivedFor(1))).isEmpty();
    assertThat(api.get("/domains/acme.example").status()).isEqualTo(200);
  }

  @Test
  void anotherKeyOfTheSameProjectSharesItsDomains() {
    publish(create("{\"name\": \"acme.example\"}").body());
    Api colleague = api.withKey("mr_test_colleague");

    assertThat(colleague.get("/domains/acme.example").status()).isEqualTo(200);
    sendFrom(colleague, "orders@acme.example", "Signed for the project");

    assertThat(verifies(receivedFor(1))).isTrue();
  }

  @Test
  void eachProjectMayHaveTheSameDomainWithItsOwnKey() {
    JsonNode ours = create("{\"name\": \"acme.example\"}").body();
    JsonNode theirs =
        api.withKey(OTHER_PROJECT_KEY).post("/domains", "{\"name\": \"acme.example\"}").body();

    assertThat(record(theirs, "dkim").path("value").asString())
        .isNotEqualTo(record(ours, "dkim").path("value").asString());
  }

  @Test
  void aSecondDomainOfTheSameNameIsAConflict() {
    create("{\"name\": \"acme.example\"}");

    Response again = create("{\"name\": \"ACME.example.\"}");

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("errors").get(0).path("pointer").asString()).isEqualTo("/name");
  }

  @Test
  void internationalNamesAreStoredAsALabels() {
    Response created = create("{\"name\": \"bücher.example\"}");

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().path("name").asString()).isEqualTo("xn--bcher-kva.example");
    assertThat(api.get("/domains/bücher.example".replace("ü", "%C3%BC")).status()).isEqualTo(200);
  }

  @Test
  void invalidNamesAreRefusedNamingTheField() {
    for (String name :
        List.of(
            "\"localhost\"",
            "\"-acme.example\"",
            "\"acme..example\"",
            "\"a b.example\"",
            "\"10.0.0.1\"",
            "\"\"",
            "null",
            "\"" + "a".repeat(64) + ".example\"")) {
      Response refused = create("{\"name\": " + name + "}");
      assertThat(refused.status()).as(name).isEqualTo(422);
      assertThat(refused.body().path("errors").get(0).path("pointer").asString())
          .as(name)
          .isEqualTo("/name");
    }
    Response badAlgorithm = create("{\"name\": \"acme.example\", \"algorithms\": [\"rsa-sha1\"]}");
    assertThat(badAlgorithm.status()).isEqualTo(422);
    assertThat(badAlgorithm.body().path("errors").get(0).path("pointer").asString())
        .isEqualTo("/algorithms/0");
    assertThat(count("domains")).isZero();
  }

  @Test
  void domainsNeedTheDomainsScope() {
    Response refused = api.withKey(SEND_ONLY_KEY).get("/domains");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body().path("detail").asString()).contains("'domains' scope");
  }

  @Test
  void deletedDomainNoLongerSigns() {
    create("{\"name\": \"acme.example\"}");
    assertThat(delete(api, "acme.example").status()).isEqualTo(204);

    sendFrom(api, "orders@acme.example", "Hello");

    assertThat(DkimVerification.signatureFields(receivedFor(1))).isEmpty();
    assertThat(api.get("/domains/acme.example").status()).isEqualTo(404);
    assertThat(count("domain_keys")).isZero();
  }

  @Test
  void rotationSignsWithTheOldKeyUntilTheNewRecordIsVerified() {
    JsonNode first = create("{\"name\": \"acme.example\"}").body();
    publish(first);
    api.post("/domains/acme.example/verify", "");
    String year = String.valueOf(java.time.Year.now(java.time.ZoneOffset.UTC));

    JsonNode rotated = api.post("/domains/acme.example/rotate", "").body();

    assertThat(rotated.path("keys").findValuesAsString("state"))
        .containsExactly("active", "pending");
    assertThat(rotated.path("keys").get(1).path("selector").asString())
        .isEqualTo("mr" + year + "b");
    assertThat(api.post("/domains/acme.example/rotate", "").status()).isEqualTo(409);
    sendFrom(api, "orders@acme.example", "Old key");
    assertThat(DkimVerification.signatureFields(receivedFor(1)).get(0))
        .contains("s=mr" + year + "a");

    publish(rotated);
    JsonNode verified = api.post("/domains/acme.example/verify", "").body();

    assertThat(verified.path("keys").findValuesAsString("state"))
        .containsExactly("retired", "active");
    assertThat(records(verified, "dkim")).hasSize(1);
    sendFrom(api, "orders@acme.example", "New key");
    byte[] received = receivedFor(2);
    assertThat(DkimVerification.signatureFields(received).get(0)).contains("s=mr" + year + "b");
    assertThat(verifies(received)).isTrue();
  }

  @Test
  void privateKeysAreStoredEncryptedAndNeverAnswered(CapturedOutput output) {
    List<String> answers = new ArrayList<>();
    answers.add(
        create("{\"name\": \"acme.example\", \"algorithms\": [\"rsa-sha256\", \"ed25519-sha256\"]}")
            .raw()
            .body());
    answers.add(api.get("/domains").raw().body());
    answers.add(api.get("/domains/acme.example").raw().body());
    answers.add(api.post("/domains/acme.example/verify", "").raw().body());
    answers.add(api.post("/domains/acme.example/rotate", "").raw().body());
    answers.add(api.get("/v3/api-docs").raw().body());

    Domain domain = domains.findByProjectAndName("test", "acme.example").orElseThrow();
    assertThat(domain.keys()).hasSize(4);
    for (DomainKey key : domain.keys()) {
      byte[] plain = vault.decrypt(key.id(), key.encryptedPrivateKey());
      String base64 = Base64.getEncoder().encodeToString(plain);
      // Any 24 characters of the key's encoding would give it away.
      String part = base64.substring(base64.length() / 2, base64.length() / 2 + 24);
      assertThat(
              new String(key.encryptedPrivateKey(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .doesNotContain(
              new String(plain, java.nio.charset.StandardCharsets.ISO_8859_1)
                  .substring(plain.length - 16));
      for (String answer : answers) {
        assertThat(answer).doesNotContain(part);
      }
      assertThat(output.getAll()).doesNotContain(part);
    }
  }

  @Test
  void aKeyEncryptedForOneRowDoesNotDecryptForAnother() {
    create("{\"name\": \"acme.example\"}");
    DomainKey key =
        domains.findByProjectAndName("test", "acme.example").orElseThrow().keys().get(0);

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> vault.decrypt(UUID.randomUUID(), key.encryptedPrivateKey()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not be decrypted");
  }
}
