package dev.mailroom.email;

/** The header a recipient is named in; {@code BCC} recipients are named only in the envelope. */
public enum RecipientKind {
  TO,
  CC,
  BCC
}
