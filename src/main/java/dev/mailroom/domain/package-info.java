/**
 * Sender domains: the DKIM keys of each project's domains, kept encrypted, the DNS records a user
 * publishes for them, and checking that they were published. Intake asks {@link SenderSigning} for
 * the keys of a sender; the signature itself is {@code message.DkimSigner}'s.
 */
@NullMarked
package dev.mailroom.domain;

import org.jspecify.annotations.NullMarked;
