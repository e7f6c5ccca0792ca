package dev.mailroom.domain;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Base64;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Sender domains and their DKIM keys.
 *
 * @param encryptionKey base64 of 32 random bytes ({@code openssl rand -base64 32}): the AES-256-GCM
 *     key that encrypts the DKIM private keys at rest. Unset, no domain can be created; changed,
 *     the keys already stored can no longer be read and the service refuses to start
 * @param dnsResolver {@code host:port} (or {@code host}, port 53) of the resolver that checks the
 *     published records; unset, the system's resolver
 * @param dnsTimeout how long one DNS query may take; a record not answered in time is missing
 * @param spfInclude what SPF must allow for the relay: a domain for {@code include:}, or an {@code
 *     ip4:}/{@code ip6:} mechanism; unset, the SPF record is a general suggestion
 * @param inboundHost the host the bounce domain's MX points at (the inbound listener), for {@code
 *     mailroom.bounces.domain}; unset, no MX record is suggested
 * @param dmarcReports where DMARC aggregate reports go in the suggested record, a mailto: URI;
 *     unset, the suggestion has no {@code rua}
 * @param signSubdomains a sender at {@code mail.acme.example} is signed with the key of {@code
 *     acme.example} when it has no domain of its own
 * @param requireVerified refuse (403) email from a sender domain without a verified DKIM record
 * @param recheckInterval how often published records are checked again
 * @param recheckBatch at most this many domains are checked per run, the longest unchecked first
 * @param refreshInterval how often a replica reloads the signing keys, to see the changes another
 *     replica made
 */
@ConfigurationProperties("mailroom.domains")
@Validated
public record DomainSettings(
    @Nullable String encryptionKey,
    @Nullable @Pattern(regexp = "[^:\\s]+(:\\d{1,5})?", message = "must be host or host:port")
        String dnsResolver,
    @DefaultValue("3s") @DurationMin(millis = 100) @DurationMax(seconds = 30) Duration dnsTimeout,
    @Nullable String spfInclude,
    @Nullable String inboundHost,
    @Nullable String dmarcReports,
    @DefaultValue("false") boolean signSubdomains,
    @DefaultValue("false") boolean requireVerified,
    @DefaultValue("6h") @DurationMin(minutes = 1) Duration recheckInterval,
    @DefaultValue("50") @Min(1) @Max(1000) int recheckBatch,
    @DefaultValue("30s") @DurationMin(seconds = 1) Duration refreshInterval) {

  static final int KEY_BYTES = 32;

  @AssertTrue(message = "encryption-key must be base64 of exactly 32 bytes")
  public boolean isEncryptionKeyValid() {
    if (encryptionKey == null || encryptionKey.isBlank()) {
      return true;
    }
    try {
      return Base64.getDecoder().decode(encryptionKey.strip()).length == KEY_BYTES;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  boolean encryptionConfigured() {
    return encryptionKey != null && !encryptionKey.isBlank();
  }
}
