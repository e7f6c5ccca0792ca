package dev.mailroom.inbound;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The SMTP envelope of one inbound message.
 *
 * @param sender MAIL FROM; empty for the null sender ({@code <>}) that bounces use
 * @param recipients the accepted RCPT TO addresses, all on the bounce domain
 * @param remoteAddress the client's IP address
 * @param helo what the client called itself in HELO/EHLO
 */
record Envelope(
    Instant receivedAt,
    String sender,
    List<String> recipients,
    @Nullable String remoteAddress,
    @Nullable String helo) {}
