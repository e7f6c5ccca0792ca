package dev.mailroom.email;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.apikey.SenderDomains;
import dev.mailroom.email.EmailIntake.Accepted;
import dev.mailroom.email.EmailRepository.Cancellation;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.util.MultiValueMap;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Intake and status of emails; described for OpenAPI in {@link EmailApi}. */
@RestController
@RequestMapping("/emails")
class EmailController implements EmailApi {

  private final EmailIntake intake;
  private final EmailRepository emails;
  private final SenderDomains senders;
  private final EmailSearch search;

  EmailController(
      EmailIntake intake, EmailRepository emails, SenderDomains senders, EmailSearch search) {
    this.intake = intake;
    this.emails = emails;
    this.senders = senders;
    this.search = search;
  }

  /** The answer to an accepted send. */
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record EmailAccepted(
      @Schema(description = "The email's id, for GET /emails/{id}") UUID id,
      @Schema(
              description =
                  "QUEUED (or SCHEDULED); FAILED when every recipient is suppressed; or the"
                      + " current status of a replayed request")
          EmailStatus status,
      @Schema(
              description =
                  "SUPPRESSED when every recipient's address is on the project's suppression"
                      + " list: the email is stored and never sent",
              allowableValues = {"SUPPRESSED"})
          @Nullable String failureReason) {

    static EmailAccepted of(Accepted accepted) {
      return new EmailAccepted(accepted.id(), accepted.status(), accepted.failureReason());
    }
  }

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<EmailAccepted> send(
      @AuthenticationPrincipal ApiKey key,
      @RequestBody SendEmailRequest request,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
    senders.check(request.from() == null ? null : request.from().email());
    Accepted accepted = intake.accept(key.project(), request, idempotencyKey);
    ResponseEntity.BodyBuilder response =
        ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/emails/" + accepted.id()));
    if (accepted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(EmailAccepted.of(accepted));
  }

  /** The answer to an accepted batch: one entry per email, in request order. */
  record BatchAccepted(List<EmailAccepted> emails) {}

  @PostMapping(
      path = "/batch",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<BatchAccepted> sendBatch(
      @AuthenticationPrincipal ApiKey key,
      @RequestBody SendBatchRequest batch,
      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
    List<@Nullable SendEmailRequest> items = batch.emails() == null ? List.of() : batch.emails();
    for (int i = 0; i < items.size(); i++) {
      SendEmailRequest item = items.get(i);
      if (item != null && item.from() != null) {
        senders.check(item.from().email(), "/emails/" + i + "/from");
      }
    }
    EmailIntake.BatchAccepted accepted = intake.acceptBatch(key.project(), batch, idempotencyKey);
    ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.ACCEPTED);
    if (accepted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(
        new BatchAccepted(accepted.emails().stream().map(EmailAccepted::of).toList()));
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public EmailPage list(
      @AuthenticationPrincipal ApiKey key, @RequestParam MultiValueMap<String, String> parameters) {
    return search.search(EmailFilter.parse(parameters).within(key));
  }

  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public EmailView get(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    return emails.find(id, key.readableProject()).orElseThrow(() -> notFound(id));
  }

  /**
   * Cancels an email that has not been handed to a relay: SCHEDULED, QUEUED or DEFERRED become
   * CANCELLED and are never sent. Answers 200 with the email as {@code GET} shows it; 409 when the
   * email is in any other status, naming it.
   */
  @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public EmailView cancel(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    Cancellation result = emails.cancel(id, key.readableProject()).orElseThrow(() -> notFound(id));
    if (!result.cancelled()) {
      throw notCancellable(id, result.status());
    }
    return emails.find(id, key.readableProject()).orElseThrow(() -> notFound(id));
  }

  private static ErrorResponseException notCancellable(UUID id, EmailStatus status) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.CONFLICT,
            "Email "
                + id
                + " is "
                + status
                + "; only SCHEDULED, QUEUED or DEFERRED emails can be cancelled");
    problem.setTitle("Email cannot be cancelled");
    problem.setProperty("emailStatus", status);
    return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
  }

  /** Also the answer for another project's email: the same body, so an id tells nothing. */
  private static ErrorResponseException notFound(UUID id) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No email with id " + id);
    problem.setTitle("Email not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }
}
