package dev.mailroom.domain;

import jakarta.persistence.CascadeType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.Fetch;
import org.hibernate.annotations.FetchMode;
import org.jspecify.annotations.Nullable;

/**
 * A sender domain of one project, with its DKIM keys and what the last check of its DNS records
 * found. The aggregate root: keys and checks change only through it.
 */
@Entity
@Table(name = "domains")
public class Domain {

  @Id private UUID id;

  @Column(nullable = false, updatable = false)
  private String project;

  /** Lower-case ASCII (A-labels for international names), without a trailing dot. */
  @Column(nullable = false, updatable = false)
  private String name;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "checked_at")
  private @Nullable Instant checkedAt;

  @Column(name = "verified_at")
  private @Nullable Instant verifiedAt;

  @Version private @Nullable Long version;

  @OneToMany(
      mappedBy = "domain",
      cascade = CascadeType.ALL,
      orphanRemoval = true,
      fetch = FetchType.EAGER)
  @Fetch(FetchMode.SUBSELECT)
  @OrderBy("createdAt, selector")
  private List<DomainKey> keys = new ArrayList<>();

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "domain_record_checks", joinColumns = @JoinColumn(name = "domain_id"))
  @Fetch(FetchMode.SUBSELECT)
  @OrderBy("type, name")
  private List<RecordCheck> checks = new ArrayList<>();

  protected Domain() {}

  Domain(String project, String name, Instant createdAt) {
    this.id = UUID.randomUUID();
    this.project = project;
    this.name = name;
    this.createdAt = createdAt;
  }

  void addKey(DomainKey key) {
    keys.add(key);
  }

  /** Replaces what the previous check found. */
  void checked(List<RecordCheck> found, Instant at) {
    checks.clear();
    checks.addAll(found);
    checkedAt = at;
  }

  /**
   * After a check: pending keys whose record is verified take over from the active ones, which
   * retire; the domain is verified while every active key's record is.
   */
  void settleKeys(Instant at) {
    List<DomainKey> pending = keys(KeyState.PENDING);
    if (!pending.isEmpty() && pending.stream().allMatch(this::recordVerified)) {
      keys(KeyState.ACTIVE).forEach(key -> key.retire(at));
      pending.forEach(DomainKey::activate);
    }
    List<DomainKey> active = keys(KeyState.ACTIVE);
    boolean verified = !active.isEmpty() && active.stream().allMatch(this::recordVerified);
    if (verified && verifiedAt == null) {
      verifiedAt = at;
    } else if (!verified) {
      verifiedAt = null;
    }
  }

  private boolean recordVerified(DomainKey key) {
    return check("TXT", key.recordName(name))
        .map(c -> c.state() == RecordState.VERIFIED)
        .orElse(false);
  }

  Optional<RecordCheck> check(String type, String recordName) {
    return checks.stream()
        .filter(c -> c.type().equals(type) && c.name().equalsIgnoreCase(recordName))
        .findFirst();
  }

  List<DomainKey> keys(KeyState state) {
    return keys.stream().filter(key -> key.state() == state).toList();
  }

  public UUID id() {
    return id;
  }

  public String project() {
    return project;
  }

  public String name() {
    return name;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public @Nullable Instant checkedAt() {
    return checkedAt;
  }

  /** Since when every active key's record is verified; null while one is not. */
  public @Nullable Instant verifiedAt() {
    return verifiedAt;
  }

  public boolean verified() {
    return verifiedAt != null;
  }

  public List<DomainKey> keys() {
    return List.copyOf(keys);
  }

  public List<RecordCheck> checks() {
    return List.copyOf(checks);
  }
}
