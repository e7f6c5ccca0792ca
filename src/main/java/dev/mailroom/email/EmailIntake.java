package dev.mailroom.email;

import dev.mailroom.email.EmailRepository.NewEmail;
import dev.mailroom.email.EmailRepository.NewRecipient;
import dev.mailroom.email.EmailView.TemplateUsed;
import dev.mailroom.message.MimeComposer;
import dev.mailroom.message.MimeComposer.Draft;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.template.HtmlToText;
import dev.mailroom.template.MissingVariablesException;
import dev.mailroom.template.RenderedTemplate;
import dev.mailroom.template.TemplateArchivedException;
import dev.mailroom.template.TemplateNotFoundException;
import dev.mailroom.template.TemplateRenderer;
import dev.mailroom.template.TemplateRenderingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.InternetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts an email, or a batch of them: validate, render, compose, store, and only then answer. A
 * returned {@link Accepted} means the row is committed. Single sends and batches share every step;
 * a batch only prepares all its emails before storing any.
 */
@Service
public class EmailIntake {

  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
  private static final int MAX_BATCH_PROBLEMS = 100;

  private final EmailRequestValidator validator;
  private final TemplateRenderer templates;
  private final MimeComposer composer;
  private final EmailRepository emails;
  private final TransactionTemplate transaction;
  private final ApplicationEventPublisher events;
  private final EmailSettings settings;
  private final JsonMapper canonicalJson;
  private final Counter accepted;

  EmailIntake(
      EmailRequestValidator validator,
      TemplateRenderer templates,
      MimeComposer composer,
      EmailRepository emails,
      TransactionTemplate transaction,
      ApplicationEventPublisher events,
      EmailSettings settings,
      JsonMapper json,
      MeterRegistry meters) {
    this.validator = validator;
    this.templates = templates;
    this.composer = composer;
    this.emails = emails;
    this.transaction = transaction;
    this.events = events;
    this.settings = settings;
    this.canonicalJson =
        json.rebuild().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    this.accepted =
        Counter.builder("mailroom.emails.accepted")
            .description("Emails accepted for delivery")
            .register(meters);
    messageIdDomain(settings); // fail at startup, not at the first request
  }

  /**
   * @param replayed true when an earlier request with the same idempotency key is answered again
   */
  public record Accepted(UUID id, EmailStatus status, boolean replayed) {}

  /**
   * @param emails one per email of the batch, in request order
   * @param replayed true when an earlier batch with the same idempotency key is answered again
   */
  public record BatchAccepted(List<Accepted> emails, boolean replayed) {}

  public Accepted accept(SendEmailRequest request, @Nullable String idempotencyKey) {
    checkIdempotencyKey(idempotencyKey);
    Instant now = Instant.now();
    Schedule schedule = validate(request, now);
    byte[] hash = idempotencyKey == null ? null : hash(request);
    NewEmail email = prepare(request, idempotencyKey, hash, schedule, now);
    Accepted result =
        transaction.execute(
            tx ->
                once(
                    idempotencyKey,
                    hash,
                    existing -> new Accepted(existing.id(), existing.status(), true),
                    () -> {
                      emails.insert(email);
                      queued(List.of(email));
                      return new Accepted(email.id(), email.status(), false);
                    }));
    if (!result.replayed()) {
      accepted.increment();
    }
    return result;
  }

  /**
   * Accepts every email of the batch or none: all are validated, then all are rendered, before
   * anything is stored; then all are stored in one transaction. The batch's idempotency key and
   * request hash are kept on its first email, with the ids of the whole batch.
   */
  public BatchAccepted acceptBatch(SendBatchRequest batch, @Nullable String idempotencyKey) {
    checkIdempotencyKey(idempotencyKey);
    List<@Nullable SendEmailRequest> requests = checkBatchSize(batch);
    Instant now = Instant.now();
    List<Schedule> schedules = forEachEmail(requests, (i, request) -> validate(request, now));
    byte[] hash = idempotencyKey == null ? null : hash(batch);
    List<NewEmail> prepared =
        forEachEmail(
            requests,
            (i, request) ->
                prepare(
                    request,
                    i == 0 ? idempotencyKey : null,
                    i == 0 ? hash : null,
                    schedules.get(i),
                    now));
    BatchAccepted result =
        transaction.execute(
            tx ->
                once(
                    idempotencyKey,
                    hash,
                    this::replayBatch,
                    () -> {
                      emails.insertAll(prepared);
                      queued(prepared);
                      return new BatchAccepted(
                          prepared.stream()
                              .map(email -> new Accepted(email.id(), email.status(), false))
                              .toList(),
                          false);
                    }));
    if (!result.replayed()) {
      accepted.increment(prepared.size());
    }
    return result;
  }

  /** Checks every field, the schedule included, and reads the schedule. */
  private Schedule validate(SendEmailRequest request, Instant now) {
    List<FieldProblem> problems = new ArrayList<>(validator.validate(request));
    Schedule schedule = Schedule.read(request, now, settings.maxScheduleAhead(), problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    return schedule;
  }

  /** Renders and composes a valid email: everything short of storing it. */
  private NewEmail prepare(
      SendEmailRequest request,
      @Nullable String idempotencyKey,
      byte @Nullable [] hash,
      Schedule schedule,
      Instant now) {
    Content content = content(request);
    return compose(UUID.randomUUID(), request, content, idempotencyKey, hash, schedule, now);
  }

  private interface Step<T> {
    T apply(int index, SendEmailRequest request);
  }

  /**
   * Applies a step to every email of a batch and returns the results, or refuses the batch naming
   * every problem of every email, each under the email's index ({@code /emails/17/to/0/email}).
   */
  private static <T> List<T> forEachEmail(List<@Nullable SendEmailRequest> requests, Step<T> step) {
    List<T> results = new ArrayList<>(requests.size());
    List<FieldProblem> problems = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      String at = "/emails/" + i;
      SendEmailRequest request = requests.get(i);
      if (request == null) {
        problems.add(FieldProblem.at(at, "must be an email, not null"));
        continue;
      }
      try {
        results.add(step.apply(i, request));
      } catch (InvalidRequestException e) {
        e.errors().forEach(problem -> problems.add(problem.under(at)));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "The batch has invalid emails; none was accepted",
          firstProblems(problems));
    }
    return results;
  }

  private List<@Nullable SendEmailRequest> checkBatchSize(SendBatchRequest batch) {
    List<@Nullable SendEmailRequest> requests = batch.emails();
    int max = settings.maxBatchSize();
    if (requests == null || requests.isEmpty()) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/emails", "is required: a list of 1 to " + max + " emails")));
    }
    if (requests.size() > max) {
      throw InvalidRequestException.invalid(
          List.of(
              FieldProblem.at(
                  "/emails",
                  "at most " + max + " emails are allowed in one batch; got " + requests.size())));
    }
    return requests;
  }

  /** A batch of bad emails could name thousands of problems; the first ones are enough to act. */
  private static List<FieldProblem> firstProblems(List<FieldProblem> problems) {
    if (problems.size() <= MAX_BATCH_PROBLEMS) {
      return problems;
    }
    List<FieldProblem> first = new ArrayList<>(problems.subList(0, MAX_BATCH_PROBLEMS));
    first.add(
        FieldProblem.at(
            "/emails",
            "and " + (problems.size() - MAX_BATCH_PROBLEMS) + " more problems not listed here"));
    return first;
  }

  /**
   * Runs {@code store} at most once per idempotency key: a request with a key already stored is
   * answered by {@code replay} if it is the same request, and refused otherwise. Runs inside the
   * intake transaction, which holds the key's lock until it commits.
   */
  private <T> T once(
      @Nullable String key,
      byte @Nullable [] hash,
      Function<EmailRepository.Existing, T> replay,
      Supplier<T> store) {
    if (key != null) {
      if (!emails.tryLockIdempotencyKey(key)) {
        throw new InvalidRequestException(
            HttpStatus.CONFLICT,
            "A request with this Idempotency-Key is in progress",
            List.of(
                FieldProblem.header(
                    "Idempotency-Key",
                    "another request with this key has not finished; retry shortly")));
      }
      Optional<EmailRepository.Existing> existing = emails.findByIdempotencyKey(key);
      if (existing.isPresent()) {
        if (!Arrays.equals(existing.get().requestHash(), hash)) {
          throw new InvalidRequestException(
              HttpStatus.UNPROCESSABLE_CONTENT,
              "Idempotency-Key reused with a different request",
              List.of(
                  FieldProblem.header(
                      "Idempotency-Key",
                      "was already used for "
                          + existing.get().describe()
                          + " with a different body")));
        }
        return replay.apply(existing.get());
      }
    }
    return store.get();
  }

  /** The answer the batch got the first time, with each email's current status. */
  private BatchAccepted replayBatch(EmailRepository.Existing first) {
    List<UUID> ids = first.batchIds() == null ? List.of(first.id()) : first.batchIds();
    Map<UUID, EmailStatus> statuses = emails.statuses(ids);
    // An email deleted since (by retention) is left out rather than given a status it lacks.
    return new BatchAccepted(
        ids.stream()
            .filter(statuses::containsKey)
            .map(id -> new Accepted(id, statuses.get(id), true))
            .toList(),
        true);
  }

  /** Wakes the dispatcher once for everything stored, after the transaction commits. */
  private void queued(List<NewEmail> stored) {
    // A scheduled email is found by polling once due; waking a dispatcher now would find nothing.
    List<UUID> due =
        stored.stream().filter(e -> e.status() == EmailStatus.QUEUED).map(NewEmail::id).toList();
    if (!due.isEmpty()) {
      events.publishEvent(new EmailQueued(due));
    }
  }

  /** Subject and bodies to send, and the template they came from. */
  private record Content(
      String subject, @Nullable String html, String text, @Nullable TemplateUsed template) {}

  private Content content(SendEmailRequest request) {
    String name = request.template();
    if (name == null) {
      String html = blankToNull(request.html());
      return new Content(
          request.subject(), html, HtmlToText.textBody(blankToNull(request.text()), html), null);
    }
    Map<String, ? extends @Nullable Object> variables =
        request.variables() == null ? Map.of() : request.variables();
    RenderedTemplate rendered;
    try {
      rendered = templates.render(name, request.locale(), variables);
    } catch (TemplateNotFoundException e) {
      throw unprocessable(
          "Unknown template", FieldProblem.at("/template", "no template named '" + name + "'"));
    } catch (TemplateArchivedException e) {
      throw unprocessable(
          "Archived template",
          FieldProblem.at(
              "/template", "template '" + name + "' is archived; it sends no new email"));
    } catch (MissingVariablesException e) {
      throw InvalidRequestException.invalid(e.problems());
    } catch (TemplateRenderingException e) {
      throw unprocessable(
          "The template could not be rendered", FieldProblem.at("/template", e.getMessage()));
    } catch (IllegalArgumentException e) {
      throw unprocessable("Invalid locale", FieldProblem.at("/locale", e.getMessage()));
    }
    List<FieldProblem> problems = new ArrayList<>();
    EmailRequestValidator.checkSubject("/variables", rendered.subject(), problems);
    if (!problems.isEmpty()) {
      throw unprocessable(
          "The rendered subject is not a valid header",
          FieldProblem.at(
              "/variables",
              "the subject rendered from these variables " + problems.get(0).detail()));
    }
    return new Content(
        rendered.subject(),
        rendered.html(),
        rendered.text(),
        new TemplateUsed(rendered.name(), rendered.version(), rendered.locale()));
  }

  private NewEmail compose(
      UUID id,
      SendEmailRequest request,
      Content content,
      @Nullable String key,
      byte @Nullable [] requestHash,
      Schedule schedule,
      Instant now) {
    EmailAddress fromAddress =
        request.from() != null ? request.from() : EmailAddress.parse(settings.defaultFrom());
    InternetAddress from = EmailRequestValidator.toInternetAddress(fromAddress);
    String messageId = "<" + id + "@" + messageIdDomain(settings) + ">";
    byte[] mime =
        composer.compose(
            new Draft(
                from,
                addresses(request.toOrEmpty()),
                addresses(request.ccOrEmpty()),
                addresses(request.replyToOrEmpty()),
                content.subject(),
                content.html(),
                content.text(),
                messageId,
                Instant.now(),
                Attachments.decode(request.attachments()),
                CustomHeaders.of(request.headers())));
    List<NewRecipient> recipients = new ArrayList<>();
    addRecipients(recipients, "TO", request.toOrEmpty());
    addRecipients(recipients, "CC", request.ccOrEmpty());
    addRecipients(recipients, "BCC", request.bccOrEmpty());
    return new NewEmail(
        id,
        from.toUnicodeString(),
        from.getAddress(),
        content.subject(),
        messageId,
        mime,
        content.template(),
        request.tags() == null ? List.of() : request.tags().stream().map(String::valueOf).toList(),
        request.metadata() == null ? Map.of() : nonNullValues(request.metadata()),
        key,
        requestHash,
        recipients,
        schedule.scheduled(now) ? EmailStatus.SCHEDULED : EmailStatus.QUEUED,
        schedule);
  }

  private static void addRecipients(
      List<NewRecipient> into, String kind, List<EmailAddress> addresses) {
    for (EmailAddress address : addresses) {
      InternetAddress wire = EmailRequestValidator.toInternetAddress(address);
      into.add(new NewRecipient(kind, wire.getAddress(), address.name()));
    }
  }

  private static List<InternetAddress> addresses(List<EmailAddress> addresses) {
    return addresses.stream().map(EmailRequestValidator::toInternetAddress).toList();
  }

  /** SHA-256 of the request in a canonical form: same fields and values, same hash. */
  private byte[] hash(Object request) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(canonicalJson.writeValueAsBytes(request));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkIdempotencyKey(@Nullable String key) {
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new InvalidRequestException(
          HttpStatus.BAD_REQUEST,
          "Invalid Idempotency-Key",
          List.of(
              FieldProblem.header("Idempotency-Key", "must be 1-255 visible ASCII characters")));
    }
  }

  static String messageIdDomain(EmailSettings settings) {
    if (settings.messageIdDomain() != null && !settings.messageIdDomain().isBlank()) {
      return settings.messageIdDomain();
    }
    if (settings.defaultFrom() != null) {
      String email = EmailAddress.parse(settings.defaultFrom()).email();
      if (email != null && email.contains("@")) {
        return email.substring(email.lastIndexOf('@') + 1);
      }
    }
    throw new IllegalStateException(
        "Set mailroom.email.message-id-domain (MAILROOM_EMAIL_MESSAGE_ID_DOMAIN) or mailroom.email.default-from:"
            + " every Message-ID needs a domain of yours");
  }

  private static InvalidRequestException unprocessable(String title, FieldProblem problem) {
    return new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT, title, List.of(problem));
  }

  private static Map<String, String> nonNullValues(Map<String, @Nullable String> metadata) {
    Map<String, String> copy = new java.util.LinkedHashMap<>();
    metadata.forEach((k, v) -> copy.put(k, String.valueOf(v)));
    return copy;
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
