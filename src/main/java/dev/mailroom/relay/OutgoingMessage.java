package dev.mailroom.relay;

import java.util.List;
import java.util.UUID;

/**
 * What one attempt hands to a relay: the stored bytes, the envelope, and nothing else.
 *
 * @param mime the RFC 5322 message exactly as stored at intake; every attempt sends these bytes
 * @param recipients the envelope recipients still to be delivered (RCPT TO), in order
 */
public record OutgoingMessage(
    UUID emailId, String envelopeFrom, List<String> recipients, byte[] mime) {}
