package dev.mailroom.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A domain as the API shows it. Holds public keys only: the private keys never leave {@link
 * KeyVault}'s ciphertext or the signing cache.
 *
 * @param state {@code verified} while the DKIM record of every key that signs is published as
 *     given, else {@code unverified}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DomainView(
    @Schema(example = "acme.example") String name,
    @Schema(description = "verified or unverified", example = "verified") String state,
    Instant createdAt,
    @Nullable Instant checkedAt,
    @Nullable Instant verifiedAt,
    @Schema(description = "The DKIM keys, oldest first; retired ones no longer sign")
        List<KeyView> keys,
    @Schema(description = "The DNS records to publish, with what the last check found")
        List<PublishedRecord> records) {

  /**
   * @param state {@code active} (signs), {@code pending} (a rotation's key, waiting for its record)
   *     or {@code retired}
   */
  record KeyView(
      @Schema(example = "mr2026a") String selector,
      @Schema(example = "rsa-sha256") String algorithm,
      @Schema(example = "active") String state,
      Instant createdAt,
      @Nullable Instant retiredAt) {}

  static DomainView of(Domain domain, DnsRecords records) {
    List<KeyView> keys =
        domain.keys().stream()
            .map(
                key ->
                    new KeyView(
                        key.selector(),
                        key.algorithm().tag(),
                        key.state().name().toLowerCase(Locale.ROOT),
                        key.createdAt(),
                        key.retiredAt()))
            .toList();
    List<PublishedRecord> published = new ArrayList<>();
    for (DnsRecords.Expected expected : records.expected(domain)) {
      RecordCheck check = domain.check(expected.type(), expected.name()).orElse(null);
      published.add(
          new PublishedRecord(
              expected.purpose(),
              expected.type(),
              expected.name(),
              expected.value(),
              check == null ? RecordState.PENDING : check.state(),
              check == null ? null : check.found(),
              check == null ? null : check.checkedAt(),
              expected.note()));
    }
    return new DomainView(
        domain.name(),
        domain.verified() ? "verified" : "unverified",
        domain.createdAt(),
        domain.checkedAt(),
        domain.verifiedAt(),
        keys,
        published);
  }
}
