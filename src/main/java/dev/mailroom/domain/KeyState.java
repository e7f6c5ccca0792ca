package dev.mailroom.domain;

/**
 * Where a DKIM key is in its life. A domain's first keys sign at once; a rotation's keys wait as
 * {@link #PENDING} until their record is verified, then take over and the keys before them retire.
 */
public enum KeyState {
  /** Signs new email. */
  ACTIVE,
  /** Made by a rotation; signs once its DNS record is verified. */
  PENDING,
  /** Replaced; no longer signs, and its record may be removed. */
  RETIRED
}
