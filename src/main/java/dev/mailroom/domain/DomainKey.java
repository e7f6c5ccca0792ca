package dev.mailroom.domain;

import dev.mailroom.message.DkimSigner.Algorithm;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One DKIM key pair of a domain. The private key is stored only encrypted (see {@link KeyVault});
 * the public key is the {@code p=} of the DNS record, base64.
 */
@Entity
@Table(name = "domain_keys")
public class DomainKey {

  @Id private UUID id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "domain_id", nullable = false, updatable = false)
  private Domain domain;

  @Column(nullable = false, updatable = false)
  private String selector;

  @Convert(converter = AlgorithmColumn.class)
  @Column(nullable = false, updatable = false)
  private Algorithm algorithm;

  @Column(name = "public_key", nullable = false, updatable = false)
  private String publicKey;

  /** Version byte, 96-bit nonce, AES-GCM ciphertext and tag of the PKCS #8 private key. */
  @Column(name = "private_key", nullable = false, updatable = false)
  private byte[] encryptedPrivateKey;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private KeyState state;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "retired_at")
  private @Nullable Instant retiredAt;

  protected DomainKey() {}

  DomainKey(
      UUID id,
      Domain domain,
      String selector,
      Algorithm algorithm,
      String publicKey,
      byte[] encryptedPrivateKey,
      KeyState state,
      Instant createdAt) {
    this.id = id;
    this.domain = domain;
    this.selector = selector;
    this.algorithm = algorithm;
    this.publicKey = publicKey;
    this.encryptedPrivateKey = encryptedPrivateKey;
    this.state = state;
    this.createdAt = createdAt;
  }

  void activate() {
    state = KeyState.ACTIVE;
  }

  void retire(Instant at) {
    state = KeyState.RETIRED;
    retiredAt = at;
  }

  /** Where the record of this key is published: {@code <selector>._domainkey.<domain>}. */
  String recordName(String domainName) {
    return selector + "._domainkey." + domainName;
  }

  /** The TXT record value: {@code v=DKIM1; k=rsa; p=...}. */
  String recordValue() {
    return "v=DKIM1; k=" + algorithm.keyType() + "; p=" + publicKey;
  }

  public UUID id() {
    return id;
  }

  public String selector() {
    return selector;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public String publicKey() {
    return publicKey;
  }

  byte[] encryptedPrivateKey() {
    return encryptedPrivateKey;
  }

  public KeyState state() {
    return state;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public @Nullable Instant retiredAt() {
    return retiredAt;
  }

  /** Stores an algorithm as its DKIM name, {@code rsa-sha256} or {@code ed25519-sha256}. */
  @Converter
  static class AlgorithmColumn implements AttributeConverter<Algorithm, String> {
    @Override
    public String convertToDatabaseColumn(Algorithm algorithm) {
      return algorithm.tag();
    }

    @Override
    public Algorithm convertToEntityAttribute(String tag) {
      return Algorithm.of(tag);
    }
  }
}
