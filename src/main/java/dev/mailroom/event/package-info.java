/**
 * Events: the facts of an email's life (accepted, sent, deferred, bounced...), stored with the
 * email in the transaction of the state change, shown as its timeline and handed to the webhook
 * outbox in the same statement.
 */
@NullMarked
package dev.mailroom.event;

import org.jspecify.annotations.NullMarked;
