package dev.mailroom.event;

/** Published inside a transaction that queued webhook deliveries; listeners act after commit. */
public record WebhooksQueued(int deliveries) {}
