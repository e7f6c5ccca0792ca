package dev.mailroom.email;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A dispatcher in this process that takes newly accepted emails straight from intake: intake stores
 * them already claimed by it (SENDING, under a lease, with the first fencing token) and hands them
 * over in memory once stored, so the dispatcher neither claims them back from the outbox nor reads
 * their messages again. Only while the dispatcher has room and its last claim from the outbox found
 * fewer emails than it asked for, so that a new email does not go ahead of a backlog there.
 * Otherwise intake stores it QUEUED, as without a dispatcher here.
 *
 * <p>A claim made at intake is like any other: if it is never sent (the process stops, or dies), it
 * is released, or its lease expires and any dispatcher takes it over.
 */
public interface DeliveryHandoff {

  /**
   * Room for these emails, all or none, or null when there is none (or the dispatcher is not
   * running, or it has not caught up with the outbox). Asked before the emails' transaction starts,
   * so the lease starts no later than the database starts it.
   *
   * @param emails how many emails may be handed over
   * @param bytes their messages' bytes together
   */
  @Nullable Reservation reserve(int emails, long bytes);

  /** Room held for emails being stored; delivered or cancelled exactly once. */
  interface Reservation {

    /** The dispatcher the emails are stored as claimed by ({@code locked_by}). */
    String dispatcher();

    /** How long the claim is exclusive, from when the database stores it. */
    Duration lease();

    /**
     * The emails stored as claimed, now committed: the dispatcher sends them. Room reserved for
     * emails not among them is given back.
     */
    void deliver(List<HandedOver> emails);

    /** Nothing was stored: the room is given back. */
    void cancel();
  }

  /**
   * An email stored as claimed, as the dispatcher sends it.
   *
   * @param createdAt when intake accepted it, for the retry age limit
   * @param recipients every recipient in position order, suppressed ones included
   */
  record HandedOver(
      UUID id,
      String project,
      String envelopeFrom,
      byte[] mime,
      Instant createdAt,
      @Nullable Instant expiresAt,
      List<Recipient> recipients) {}

  /** A recipient by position, and whether it is to be tried ({@code PENDING}) or suppressed. */
  record Recipient(int position, String address, RecipientStatus status) {}

  /** The fencing token of a claim made at intake: the first, as a claim of a new email has. */
  long FIRST_TOKEN = 1;
}
