/**
 * SMTP in: the return path of sent email. {@link dev.mailroom.inbound.VerpToken} gives each
 * recipient an envelope sender of its own on the bounce domain, the listener receives what comes
 * back to it, {@link dev.mailroom.inbound.BounceParser} reads DSNs, complaints and the common
 * non-standard bounces, and every message received is recorded; a matched bounce is published as
 * {@link dev.mailroom.inbound.BounceReceived} for the rooms that act on it.
 */
@NullMarked
package dev.mailroom.inbound;

import org.jspecify.annotations.NullMarked;
