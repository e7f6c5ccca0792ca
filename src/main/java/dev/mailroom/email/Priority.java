package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * How urgently an email is claimed among those due: every due high email before any normal one,
 * every normal one before any low one. Stored as its {@link #rank()}.
 */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  /** The value in {@code emails.priority}; lower is claimed first. */
  public int rank() {
    return ordinal();
  }

  static Priority ofRank(int rank) {
    return values()[rank];
  }

  @JsonValue
  String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<Priority> parse(String value) {
    for (Priority priority : values()) {
      if (priority.json().equals(value)) {
        return Optional.of(priority);
      }
    }
    return Optional.empty();
  }
}
