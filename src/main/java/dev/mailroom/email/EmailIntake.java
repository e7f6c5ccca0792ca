package dev.mailroom.email;

import dev.mailroom.domain.SenderSigning;
import dev.mailroom.email.EmailRepository.NewEmail;
import dev.mailroom.email.EmailRepository.NewRecipient;
import dev.mailroom.email.EmailView.TemplateUsed;
import dev.mailroom.message.MimeComposer;
import dev.mailroom.message.MimeComposer.Draft;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.GroupCommit;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.system.SqlTransactions;
import dev.mailroom.template.HtmlToText;
import dev.mailroom.template.RenderProblems;
import dev.mailroom.template.RenderedTemplate;
import dev.mailroom.template.TemplateRenderer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts an email, or a batch of them: validate, render, compose, store, and only then answer. A
 * returned {@link Accepted} means the row is committed. Single sends and batches share every step;
 * a batch only prepares all its emails before storing any. Every email belongs to the project of
 * the key that sent it: it renders that project's templates, and its idempotency key is unique
 * within that project only.
 */
@Service
public class EmailIntake {

  /**
   * Single sends without an idempotency key are stored in groups (see {@link GroupCommit}): this
   * many transactions at once, of at most this many emails and bytes. One: while it commits, the
   * requests that come in gather into the next group. A second writer would take those as soon as
   * they arrive, so under load there were twice the groups, of half the size, each with its own
   * commit and its own dispatcher wake-up; measured with bench/cpu-per-email.sh, one writer took a
   * third less of PostgreSQL's CPU per email and accepted a quarter more (README, "Where the time
   * goes").
   */
  private static final int SINGLE_WRITERS = 1;

  private static final int MAX_SINGLES_PER_COMMIT = 64;

  /**
   * A message larger than this (one with attachments, in practice) is stored by its request alone,
   * beside the groups rather than in them: with a single writer, a message of megabytes would
   * otherwise hold up every send queued behind it for as long as it takes to store. 64 of these
   * make {@link #MAX_SINGLES_BYTES_PER_COMMIT}.
   */
  private static final long ALONE_SINGLE_BYTES = 256L * 1024;

  /**
   * A group's messages in bytes, at most (its first email always goes): a send may carry up to
   * {@code mailroom.email.max-request-size} of attachments, and 64 of those would make one
   * statement of a gigabyte, past what PostgreSQL takes in one message.
   */
  private static final long MAX_SINGLES_BYTES_PER_COMMIT = 16L * 1024 * 1024;

  private final EmailRequestValidator validator;
  private final Idempotency idempotency;
  private final TemplateRenderer templates;
  private final MimeComposer composer;
  private final MessageIds messageIds;
  private final SenderSigning signing;
  private final EmailRepository emails;
  private final SuppressionLookup suppressions;
  private final ObjectProvider<DeliveryHandoff> handoff;
  // The dispatcher of this process, looked up once it is needed (it is created after intake).
  private volatile @Nullable Optional<DeliveryHandoff> dispatcher;
  private final TransactionTemplate transaction;
  private final GroupCommit<NewEmail, NewEmail> singles;
  private final ApplicationEventPublisher events;
  private final EmailSettings settings;
  private final @Nullable EmailAddress defaultFrom;
  private final MeterRegistry meters;
  private final Map<String, Counter> accepted = new ConcurrentHashMap<>();

  EmailIntake(
      EmailRequestValidator validator,
      Idempotency idempotency,
      TemplateRenderer templates,
      MimeComposer composer,
      MessageIds messageIds,
      SenderSigning signing,
      EmailRepository emails,
      SuppressionLookup suppressions,
      ObjectProvider<DeliveryHandoff> handoff,
      SqlTransactions transactions,
      ApplicationEventPublisher events,
      EmailSettings settings,
      MeterRegistry meters) {
    this.validator = validator;
    this.idempotency = idempotency;
    this.templates = templates;
    this.composer = composer;
    this.messageIds = messageIds;
    this.signing = signing;
    this.emails = emails;
    this.suppressions = suppressions;
    this.handoff = handoff;
    // Intake stores through JdbcClient only: no JPA session per email.
    this.transaction = transactions.template();
    this.singles =
        new GroupCommit<>(
            this::storeSingles,
            SINGLE_WRITERS,
            MAX_SINGLES_PER_COMMIT,
            email -> email.mime().length,
            MAX_SINGLES_BYTES_PER_COMMIT,
            ALONE_SINGLE_BYTES);
    this.events = events;
    this.settings = settings;
    this.defaultFrom =
        settings.defaultFrom() == null ? null : EmailAddress.parse(settings.defaultFrom());
    this.meters = meters;
  }

  /**
   * @param replayed true when an earlier request with the same idempotency key is answered again
   */
  public record Accepted(
      UUID id, EmailStatus status, @Nullable String failureReason, boolean replayed) {

    Accepted(UUID id, EmailStatus status, boolean replayed) {
      this(id, status, null, replayed);
    }
  }

  /**
   * @param emails one per email of the batch, in request order
   * @param replayed true when an earlier batch with the same idempotency key is answered again
   */
  public record BatchAccepted(List<Accepted> emails, boolean replayed) {}

  /**
   * @param project the project of the key that sends it
   */
  public Accepted accept(
      String project, SendEmailRequest request, @Nullable String idempotencyKey) {
    idempotency.checkKey(idempotencyKey);
    Instant now = Instant.now();
    Schedule schedule = validate(project, request, now);
    byte[] hash = idempotency.hash(idempotencyKey, request);
    NewEmail prepared = prepare(project, request, idempotencyKey, hash, schedule, now);
    if (idempotencyKey == null) {
      // Nothing to look up first: the email can share its transaction with concurrent sends.
      NewEmail stored = singles.store(prepared);
      accepted(project).increment();
      return new Accepted(stored.id(), stored.status(), stored.failureReason(), false);
    }
    NewEmail suppressed = suppress(project, List.of(prepared)).get(0);
    Handover handover = new Handover(List.of(suppressed));
    NewEmail email = handover.claimed(suppressed);
    Accepted result =
        handover.store(
            () ->
                transaction.execute(
                    tx ->
                        idempotency.once(
                            project,
                            idempotencyKey,
                            hash,
                            idempotency::replayEmail,
                            () -> {
                              emails.insert(email);
                              return stored(List.of(email)).get(0);
                            })),
            accepted -> accepted.replayed() ? List.of() : List.of(email));
    if (!result.replayed()) {
      accepted(project).increment();
    }
    return result;
  }

  /**
   * Stores single sends gathered from concurrent requests in one transaction, their suppressions
   * looked up in it: one query per project of the group. A group of one, all a quiet service sees,
   * needs no transaction: its suppressions are looked up, then the email with its recipients and
   * events is one statement, which commits by itself. Two round trips instead of four (the lookup,
   * the email, its events and the commit).
   */
  private List<NewEmail> storeSingles(List<NewEmail> group) {
    Handover handover = new Handover(group);
    return handover.store(() -> storeSingles(group, handover), stored -> stored);
  }

  /**
   * Emails about to be stored, and the room this process's dispatcher gave for those due now (see
   * {@link DeliveryHandoff}): each stored as claimed by it while there is room, and handed to it
   * once committed.
   */
  private final class Handover {

    // Before the transaction, so no later than the database's created_at: for the age limit.
    private final Instant storing = Instant.now();
    private final DeliveryHandoff.@Nullable Reservation room;

    /** Asks for room for those of these emails due now; none when there is no dispatcher here. */
    Handover(List<NewEmail> emails) {
      this.room = reserve(emails);
    }

    /** The email, its suppressions known, as it is stored: claimed when it is due now. */
    NewEmail claimed(NewEmail email) {
      return room == null || email.status() != EmailStatus.QUEUED
          ? email
          : email.claimedBy(room.dispatcher(), room.lease());
    }

    /**
     * Stores the emails, each as {@link #claimed} made it, and then hands those claimed to the
     * dispatcher; when storing fails, the room is given back.
     *
     * @param store stores the emails and commits
     * @param stored the emails its result stored (none for a replay)
     */
    <T> T store(Supplier<T> store, Function<T, List<NewEmail>> stored) {
      T result;
      try {
        result = store.get();
      } catch (RuntimeException | Error e) {
        if (room != null) {
          room.cancel();
        }
        throw e;
      }
      if (room != null) {
        room.deliver(
            stored.apply(result).stream()
                .filter(e -> e.claim() != null)
                .map(e -> handedOver(e, storing))
                .toList());
      }
      return result;
    }
  }

  /**
   * Room with this process's dispatcher for the emails due now, or null: none due, no dispatcher
   * here, or no room with it.
   */
  private DeliveryHandoff.@Nullable Reservation reserve(List<NewEmail> emails) {
    Optional<DeliveryHandoff> found = this.dispatcher;
    if (found == null) {
      found = Optional.ofNullable(handoff.getIfAvailable());
      this.dispatcher = found;
    }
    if (found.isEmpty()) {
      return null;
    }
    List<NewEmail> due = emails.stream().filter(e -> e.status() == EmailStatus.QUEUED).toList();
    if (due.isEmpty()) {
      return null;
    }
    return found.get().reserve(due.size(), due.stream().mapToLong(e -> e.mime().length).sum());
  }

  private static DeliveryHandoff.HandedOver handedOver(NewEmail email, Instant createdAt) {
    List<DeliveryHandoff.Recipient> recipients = new ArrayList<>(email.recipients().size());
    for (int i = 0; i < email.recipients().size(); i++) {
      NewRecipient r = email.recipients().get(i);
      recipients.add(new DeliveryHandoff.Recipient(i, r.address(), r.status()));
    }
    return new DeliveryHandoff.HandedOver(
        email.id(),
        email.project(),
        email.envelopeFrom(),
        email.mime(),
        createdAt,
        email.schedule().expiresAt(),
        List.copyOf(recipients));
  }

  private List<NewEmail> storeSingles(List<NewEmail> group, Handover handover) {
    if (group.size() == 1) {
      NewEmail email = group.get(0);
      NewEmail marked = handover.claimed(suppress(email.project(), group).get(0));
      emails.insert(marked);
      stored(List.of(marked));
      return List.of(marked);
    }
    return transaction.execute(
        tx -> {
          List<NewEmail> marked = new ArrayList<>(group);
          Map<String, List<Integer>> byProject = new LinkedHashMap<>();
          for (int i = 0; i < group.size(); i++) {
            byProject.computeIfAbsent(group.get(i).project(), p -> new ArrayList<>()).add(i);
          }
          byProject.forEach(
              (project, positions) -> {
                List<NewEmail> suppressed =
                    suppress(project, positions.stream().map(group::get).toList());
                for (int j = 0; j < positions.size(); j++) {
                  marked.set(positions.get(j), handover.claimed(suppressed.get(j)));
                }
              });
          emails.insertEach(marked);
          stored(marked);
          return marked;
        });
  }

  /**
   * Accepts every email of the batch or none: all are validated, then all are rendered, before
   * anything is stored; then all are stored in one transaction. The batch's idempotency key and
   * request hash are kept on its first email, with the ids of the whole batch.
   */
  public BatchAccepted acceptBatch(
      String project, SendBatchRequest batch, @Nullable String idempotencyKey) {
    idempotency.checkKey(idempotencyKey);
    List<@Nullable SendEmailRequest> requests = Batches.emails(batch, settings.maxBatchSize());
    Instant now = Instant.now();
    List<Schedule> schedules =
        Batches.forEachEmail(requests, (i, request) -> validate(project, request, now));
    byte[] hash = idempotency.hash(idempotencyKey, batch);
    List<NewEmail> suppressed =
        suppress(
            project,
            Batches.forEachEmail(
                requests,
                (i, request) ->
                    i == 0
                        ? prepare(project, request, idempotencyKey, hash, schedules.get(i), now)
                        : prepare(project, request, null, null, schedules.get(i), now)));
    Handover handover = new Handover(suppressed);
    List<NewEmail> prepared = suppressed.stream().map(handover::claimed).toList();
    BatchAccepted result =
        handover.store(
            () ->
                transaction.execute(
                    tx ->
                        idempotency.once(
                            project,
                            idempotencyKey,
                            hash,
                            first -> idempotency.replayBatch(project, first),
                            () -> {
                              emails.insertAll(prepared);
                              return new BatchAccepted(stored(prepared), false);
                            })),
            accepted -> accepted.replayed() ? List.of() : prepared);
    if (!result.replayed()) {
      accepted(project).increment(prepared.size());
    }
    return result;
  }

  /**
   * Marks the recipients whose address the project suppressed, for every email at once: one query
   * for all their addresses. An email with every recipient suppressed is stored FAILED (reason
   * {@code SUPPRESSED}) and never reaches a dispatcher.
   */
  private List<NewEmail> suppress(String project, List<NewEmail> prepared) {
    Set<String> suppressed =
        suppressions.suppressed(
            project,
            prepared.stream()
                .flatMap(e -> e.recipients().stream())
                .map(NewRecipient::address)
                .collect(Collectors.toSet()));
    if (suppressed.isEmpty()) {
      return prepared;
    }
    return prepared.stream().map(email -> email.suppressing(suppressed)).toList();
  }

  /**
   * Checks every field, the schedule included, and reads the schedule; with {@code
   * mailroom.domains.require-verified}, the sender's domain must be a verified one of the project.
   */
  private Schedule validate(String project, SendEmailRequest request, Instant now) {
    List<FieldProblem> problems = new ArrayList<>(validator.validate(request));
    Schedule schedule = Schedule.read(request, now, settings.maxScheduleAhead(), problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    if (request.from() != null) {
      signing.checkSender(project, request.from().email(), "/from");
    }
    return schedule;
  }

  /** Renders and composes a valid email: everything short of storing it. */
  private NewEmail prepare(
      String project,
      SendEmailRequest request,
      @Nullable String idempotencyKey,
      byte @Nullable [] hash,
      Schedule schedule,
      Instant now) {
    UUID id = EmailIds.next();
    Content content = content(project, request);
    WireAddresses addresses = WireAddresses.of(request, defaultFrom);
    String messageId = messageIds.of(id);
    byte[] mime = composer.compose(draft(request, content, addresses, messageId));
    // Signed once, here: every attempt sends these same bytes, signature included.
    mime = signing.sign(project, addresses.from().getAddress(), mime);
    return new NewEmail(
        id,
        project,
        addresses.from().toUnicodeString(),
        addresses.from().getAddress(),
        content.subject(),
        messageId,
        mime,
        content.template(),
        request.tags() == null ? List.of() : request.tags().stream().map(String::valueOf).toList(),
        request.metadata() == null ? Map.of() : nonNullValues(request.metadata()),
        idempotencyKey,
        hash,
        addresses.recipients(),
        schedule.scheduled(now) ? EmailStatus.SCHEDULED : EmailStatus.QUEUED,
        schedule,
        null,
        null);
  }

  /** Subject and bodies to send, and the template they came from. */
  private record Content(
      String subject, @Nullable String html, String text, @Nullable TemplateUsed template) {}

  private Content content(String project, SendEmailRequest request) {
    String name = request.template();
    if (name == null) {
      String html = blankToNull(request.html());
      return new Content(
          request.subject(), html, HtmlToText.textBody(blankToNull(request.text()), html), null);
    }
    Map<String, ? extends @Nullable Object> variables =
        request.variables() == null ? Map.of() : request.variables();
    RenderedTemplate rendered =
        RenderProblems.forSend(() -> templates.render(project, name, request.locale(), variables));
    EmailRequestValidator.checkRenderedSubject(rendered.subject());
    return new Content(
        rendered.subject(),
        rendered.html(),
        rendered.text(),
        new TemplateUsed(rendered.name(), rendered.version(), rendered.locale()));
  }

  private static Draft draft(
      SendEmailRequest request, Content content, WireAddresses addresses, String messageId) {
    return new Draft(
        addresses.from(),
        addresses.to(),
        addresses.cc(),
        addresses.replyTo(),
        content.subject(),
        content.html(),
        content.text(),
        messageId,
        Instant.now(),
        Attachments.decode(request.attachments()),
        CustomHeaders.of(request.headers()));
  }

  /** Wakes the dispatcher once for everything stored, after the transaction commits. */
  private List<Accepted> stored(List<NewEmail> stored) {
    // A scheduled email is found by polling once due; waking a dispatcher now would find nothing.
    // One handed to this process's dispatcher is in its hands already.
    List<UUID> due =
        stored.stream()
            .filter(e -> e.status() == EmailStatus.QUEUED && e.claim() == null)
            .map(NewEmail::id)
            .toList();
    if (!due.isEmpty()) {
      events.publishEvent(new EmailQueued(due));
    }
    return stored.stream()
        .map(email -> new Accepted(email.id(), email.status(), email.failureReason(), false))
        .toList();
  }

  /** The accepted counter of a project; projects are configured, so their number is bounded. */
  private Counter accepted(String project) {
    return accepted.computeIfAbsent(
        project,
        p ->
            Counter.builder("mailroom.emails.accepted")
                .description("Emails accepted for delivery")
                .tag("project", p)
                .register(meters));
  }

  private static Map<String, String> nonNullValues(Map<String, @Nullable String> metadata) {
    Map<String, String> copy = new LinkedHashMap<>();
    metadata.forEach((k, v) -> copy.put(k, String.valueOf(v)));
    return copy;
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
