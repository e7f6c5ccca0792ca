/**
 * The wire message: the RFC 5322 bytes composed once at intake and sent unchanged by every attempt.
 * Knows MIME, not templates or requests.
 */
@NullMarked
package dev.mailroom.message;

import org.jspecify.annotations.NullMarked;
