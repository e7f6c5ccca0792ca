/**
 * Webhooks: endpoints per project (a JPA aggregate), and the outbox that delivers each event to
 * them signed per Standard Webhooks (SQL, claimed like emails).
 */
@NullMarked
package dev.mailroom.webhook;

import org.jspecify.annotations.NullMarked;
