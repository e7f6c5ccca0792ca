package dev.mailroom.email;

/** The life of an email, as callers see it. */
public enum EmailStatus {
  SCHEDULED,
  QUEUED,
  SENDING,
  DEFERRED,
  SENT,
  FAILED,
  CANCELLED
}
