package dev.mailroom.email;

import dev.mailroom.email.EmailIntake.Accepted;
import dev.mailroom.email.EmailIntake.BatchAccepted;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code Idempotency-Key} contract: a request sent again with the same key and the same body is
 * answered as the first time, with nothing stored again; the same key with another body is refused.
 * The key and the hash of the request are stored with the email (a batch's with its first email).
 * Keys belong to the project that sent them: another project's use of the same key is neither
 * replayed nor named, and does not stop this one.
 */
@Component
class Idempotency {

  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

  private final EmailRepository emails;
  private final JsonMapper canonicalJson;

  Idempotency(EmailRepository emails, JsonMapper json) {
    this.emails = emails;
    this.canonicalJson =
        json.rebuild().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
  }

  /**
   * Refuses a key that is not 1-255 visible ASCII characters, before anything else is looked at.
   */
  void checkKey(@Nullable String key) {
    if (key != null && !KEY.matcher(key).matches()) {
      throw new InvalidRequestException(
          HttpStatus.BAD_REQUEST,
          "Invalid Idempotency-Key",
          List.of(
              FieldProblem.header("Idempotency-Key", "must be 1-255 visible ASCII characters")));
    }
  }

  /**
   * SHA-256 of the request in a canonical form (same fields and values, same hash); null without a
   * key, when there is nothing to compare a replay with.
   */
  byte @Nullable [] hash(@Nullable String key, Object request) {
    if (key == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(canonicalJson.writeValueAsBytes(request));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code store} at most once per idempotency key: a request with a key already stored is
   * answered by {@code replay} if it is the same request, and refused otherwise. Runs inside the
   * intake transaction, which holds the key's lock until it commits. Only the project's own keys
   * are looked at.
   */
  <T> T once(
      String project,
      @Nullable String key,
      byte @Nullable [] hash,
      Function<EmailRepository.Existing, T> replay,
      Supplier<T> store) {
    if (key == null) {
      return store.get();
    }
    if (!emails.tryLockIdempotencyKey(project, key)) {
      throw new InvalidRequestException(
          HttpStatus.CONFLICT,
          "A request with this Idempotency-Key is in progress",
          List.of(
              FieldProblem.header(
                  "Idempotency-Key",
                  "another request with this key has not finished; retry shortly")));
    }
    Optional<EmailRepository.Existing> existing = emails.findByIdempotencyKey(project, key);
    if (existing.isEmpty()) {
      return store.get();
    }
    if (!Arrays.equals(existing.get().requestHash(), hash)) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "Idempotency-Key reused with a different request",
          List.of(
              FieldProblem.header(
                  "Idempotency-Key",
                  "was already used for " + existing.get().describe() + " with a different body")));
    }
    return replay.apply(existing.get());
  }

  /** The answer a single email got the first time, with its current status. */
  Accepted replayEmail(EmailRepository.Existing first) {
    return new Accepted(first.id(), first.status(), true);
  }

  /** The answer the batch got the first time, with each email's current status. */
  BatchAccepted replayBatch(String project, EmailRepository.Existing first) {
    List<UUID> ids = first.batchIds() == null ? List.of(first.id()) : first.batchIds();
    Map<UUID, EmailStatus> statuses = emails.statuses(project, ids);
    // An email deleted since (by retention) is left out rather than given a status it lacks.
    return new BatchAccepted(
        ids.stream()
            .filter(statuses::containsKey)
            .map(id -> new Accepted(id, statuses.get(id), true))
            .toList(),
        true);
  }
}
