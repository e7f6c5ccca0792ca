package dev.mailroom.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What the last check found for a DNS record to publish. */
public enum RecordState {
  /** Not checked yet. */
  PENDING,
  /** Published as suggested. */
  VERIFIED,
  /** No such record. */
  MISSING,
  /** A record is there, with another value (the check says which). */
  MISMATCH;

  @JsonValue
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }
}
