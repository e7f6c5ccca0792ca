package dev.mailroom.suppression;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One suppressed address of one project: a plain aggregate, so a JPA entity. Automatic suppressions
 * (bounces, refusals) are written by SQL in the transaction that learned of them ({@link
 * SuppressionList}); both write the same table, whose schema Flyway owns.
 */
@Entity
@Table(name = "suppressions")
@IdClass(Suppression.Key.class)
class Suppression {

  /** The primary key: an address is suppressed once per project. */
  record Key(String project, String address) implements Serializable {}

  @Id private String project;

  @Id private String address;

  @Enumerated(EnumType.STRING)
  private SuppressionReason reason;

  private @Nullable String detail;

  @Column(name = "email_id")
  private @Nullable UUID emailId;

  @Column(name = "created_at", updatable = false)
  private Instant createdAt;

  @SuppressWarnings("NullAway.Init")
  protected Suppression() {}

  Suppression(
      String project,
      String address,
      SuppressionReason reason,
      @Nullable String detail,
      Instant createdAt) {
    this.project = project;
    this.address = address;
    this.reason = reason;
    this.detail = detail;
    this.createdAt = createdAt;
  }

  void change(SuppressionReason reason, @Nullable String detail) {
    this.reason = reason;
    this.detail = detail;
    this.emailId = null;
  }

  String project() {
    return project;
  }

  String address() {
    return address;
  }

  SuppressionReason reason() {
    return reason;
  }

  @Nullable String detail() {
    return detail;
  }

  @Nullable UUID emailId() {
    return emailId;
  }

  Instant createdAt() {
    return createdAt;
  }
}
