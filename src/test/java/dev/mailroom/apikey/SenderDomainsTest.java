package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SenderDomainsTest {

  @Test
  void allowedDomainsAreNormalisedToLowerCaseAscii() {
    assertThat(SenderDomains.normalize("k", List.of(" Acme.Example ", "*.Bücher.example")))
        .containsExactly("acme.example", "*.xn--bcher-kva.example");
  }

  @Test
  void aWildcardAllowsSubdomainsButNotTheDomainItself() {
    List<String> allowed = List.of("*.shop.example");

    assertThat(SenderDomains.allowed("eu.shop.example", allowed)).isTrue();
    assertThat(SenderDomains.allowed("a.b.shop.example", allowed)).isTrue();
    assertThat(SenderDomains.allowed("shop.example", allowed)).isFalse();
    assertThat(SenderDomains.allowed("evilshop.example", allowed)).isFalse();
  }

  @Test
  void theDomainOfAnAddressIsItsAsciiForm() {
    assertThat(SenderDomains.domainOf("a@Bücher.Example")).isEqualTo("xn--bcher-kva.example");
    assertThat(SenderDomains.domainOf("no-at-sign")).isNull();
  }

  @Test
  void invalidAllowedDomainsStopStartup() {
    assertThatThrownBy(() -> SenderDomains.normalize("billing", List.of("localhost")))
        .hasMessageContaining("billing")
        .hasMessageContaining("localhost");
  }
}
