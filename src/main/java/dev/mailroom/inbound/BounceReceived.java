package dev.mailroom.inbound;

/**
 * A bounce or complaint received for an email of ours, published once it is recorded and within the
 * same transaction: a listener that writes to the database (recipient status, suppression, webhook
 * outbox) commits or rolls back with the record, and a listener that throws makes the listener
 * answer 451, so the sender retries and nothing is lost.
 *
 * @param inboundMessageId the row in {@code inbound_messages} the bounce came in
 */
public record BounceReceived(long inboundMessageId, Bounce bounce) {}
