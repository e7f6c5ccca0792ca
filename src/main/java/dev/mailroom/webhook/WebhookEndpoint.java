package dev.mailroom.webhook;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.jspecify.annotations.Nullable;

/**
 * A URL of a project that is told of the project's events. A plain aggregate, changed by its own
 * methods; the delivery outbox reads it with SQL (and, when it disables an endpoint, writes {@code
 * enabled}, {@code disabled_reason}, {@code disabled_at} and {@code failing_since}, bumping {@code
 * version} so that a concurrent change through JPA fails rather than undoes it).
 */
@Entity
@Table(name = "webhook_endpoints")
public class WebhookEndpoint {

  /** How long a rotated-out secret still signs deliveries. */
  static final Duration PREVIOUS_SECRET_VALIDITY = Duration.ofHours(24);

  @Id private UUID id;

  private String project;

  private String url;

  private @Nullable String description;

  @JdbcTypeCode(SqlTypes.ARRAY)
  @Column(name = "event_types")
  private String[] eventTypes;

  private boolean enabled;

  private @Nullable String disabledReason;

  private @Nullable Instant disabledAt;

  private @Nullable Instant failingSince;

  private String secret;

  private @Nullable String previousSecret;

  private @Nullable Instant previousExpiresAt;

  private Instant createdAt;

  private Instant updatedAt;

  @Version private long version;

  /** For JPA. */
  @SuppressWarnings("NullAway.Init")
  protected WebhookEndpoint() {}

  WebhookEndpoint(
      String project,
      String url,
      List<String> eventTypes,
      @Nullable String description,
      String secret,
      Instant now) {
    this.id = UUID.randomUUID();
    this.project = project;
    this.url = url;
    this.eventTypes = eventTypes.toArray(String[]::new);
    this.description = description;
    this.enabled = true;
    this.secret = secret;
    this.createdAt = now;
    this.updatedAt = now;
  }

  UUID id() {
    return id;
  }

  String project() {
    return project;
  }

  String url() {
    return url;
  }

  @Nullable String description() {
    return description;
  }

  List<String> eventTypes() {
    return List.of(eventTypes);
  }

  boolean enabled() {
    return enabled;
  }

  @Nullable String disabledReason() {
    return disabledReason;
  }

  @Nullable Instant disabledAt() {
    return disabledAt;
  }

  Instant createdAt() {
    return createdAt;
  }

  Instant updatedAt() {
    return updatedAt;
  }

  /** Whether a previous secret still signs, and until when. */
  @Nullable Instant previousSecretExpiresAt(Instant now) {
    return previousSecret != null && previousExpiresAt != null && previousExpiresAt.isAfter(now)
        ? previousExpiresAt
        : null;
  }

  void changeUrl(String url, Instant now) {
    this.url = url;
    this.updatedAt = now;
  }

  void changeEventTypes(List<String> eventTypes, Instant now) {
    this.eventTypes = new ArrayList<>(eventTypes).toArray(String[]::new);
    this.updatedAt = now;
  }

  void changeDescription(@Nullable String description, Instant now) {
    this.description = description;
    this.updatedAt = now;
  }

  /** Enabling starts afresh: the reason it was disabled and its failing streak are forgotten. */
  void enable(boolean enabled, Instant now) {
    if (enabled && !this.enabled) {
      this.disabledReason = null;
      this.disabledAt = null;
      this.failingSince = null;
    } else if (!enabled && this.enabled) {
      this.disabledReason = "disabled by the API";
      this.disabledAt = now;
    }
    this.enabled = enabled;
    this.updatedAt = now;
  }

  /** A new secret signs from now on; the current one also signs for another 24 hours. */
  void rotateSecret(String newSecret, Instant now) {
    this.previousSecret = secret;
    this.previousExpiresAt = now.plus(PREVIOUS_SECRET_VALIDITY);
    this.secret = newSecret;
    this.updatedAt = now;
  }

  /** Never printed: the secret is shown once, when created or rotated. */
  @Override
  public String toString() {
    return "WebhookEndpoint[" + id + ", project " + project + ", " + url + "]";
  }
}
