package dev.mailroom.email;

import dev.mailroom.email.EmailRepository.NewEmail;
import dev.mailroom.email.EmailRepository.NewRecipient;
import dev.mailroom.email.EmailView.TemplateUsed;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.template.MimeComposer;
import dev.mailroom.template.MimeComposer.Draft;
import dev.mailroom.template.MissingVariablesException;
import dev.mailroom.template.RenderedTemplate;
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
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts an email: validate, render, compose, store, and only then answer. A returned {@link
 * Accepted} means the row is committed.
 */
@Service
public class EmailIntake {

  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

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

  public Accepted accept(SendEmailRequest request, @Nullable String idempotencyKey) {
    checkIdempotencyKey(idempotencyKey);
    List<FieldProblem> problems = new ArrayList<>(validator.validate(request));
    Instant now = Instant.now();
    Schedule schedule = Schedule.read(request, now, settings.maxScheduleAhead(), problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    Content content = content(request);
    UUID id = UUID.randomUUID();
    EmailStatus status = schedule.scheduled(now) ? EmailStatus.SCHEDULED : EmailStatus.QUEUED;
    NewEmail email = compose(id, request, content, idempotencyKey, status, schedule);
    Accepted result = transaction.execute(tx -> store(email));
    if (!result.replayed()) {
      accepted.increment();
    }
    return result;
  }

  private Accepted store(NewEmail email) {
    String key = email.idempotencyKey();
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
        if (!Arrays.equals(existing.get().requestHash(), email.requestHash())) {
          throw new InvalidRequestException(
              HttpStatus.UNPROCESSABLE_CONTENT,
              "Idempotency-Key reused with a different request",
              List.of(
                  FieldProblem.header(
                      "Idempotency-Key",
                      "was already used for email "
                          + existing.get().id()
                          + " with a different body")));
        }
        return new Accepted(existing.get().id(), existing.get().status(), true);
      }
    }
    emails.insert(email);
    if (email.status() == EmailStatus.QUEUED) {
      // A scheduled email is found by polling once due; waking a dispatcher now would find nothing.
      events.publishEvent(new EmailQueued(List.of(email.id())));
    }
    return new Accepted(email.id(), email.status(), false);
  }

  /** Subject and bodies to send, and the template they came from. */
  private record Content(
      String subject,
      @Nullable String html,
      @Nullable String text,
      @Nullable TemplateUsed template) {}

  private Content content(SendEmailRequest request) {
    String name = request.template();
    if (name == null) {
      return new Content(
          request.subject(), blankToNull(request.html()), blankToNull(request.text()), null);
    }
    Map<String, ? extends @Nullable Object> variables =
        request.variables() == null ? Map.of() : request.variables();
    RenderedTemplate rendered;
    try {
      rendered = templates.render(name, request.locale(), variables);
    } catch (TemplateNotFoundException e) {
      throw unprocessable(
          "Unknown template", FieldProblem.at("/template", "no template named '" + name + "'"));
    } catch (MissingVariablesException e) {
      throw InvalidRequestException.invalid(
          e.names().stream()
              .map(
                  v ->
                      FieldProblem.at(
                          "/variables/" + FieldProblem.segment(v),
                          "is required by template '" + name + "'"))
              .toList());
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
      EmailStatus status,
      Schedule schedule) {
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
                Instant.now()));
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
        key == null ? null : hash(request),
        recipients,
        status,
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

  private byte[] hash(SendEmailRequest request) {
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
