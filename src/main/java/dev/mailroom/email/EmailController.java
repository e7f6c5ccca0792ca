package dev.mailroom.email;

import dev.mailroom.email.EmailIntake.Accepted;
import dev.mailroom.email.EmailRepository.Cancellation;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/emails")
class EmailController {

  private final EmailIntake intake;
  private final EmailRepository emails;

  EmailController(EmailIntake intake, EmailRepository emails) {
    this.intake = intake;
    this.emails = emails;
  }

  /** The answer to an accepted send. */
  record EmailAccepted(UUID id, EmailStatus status) {}

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<EmailAccepted> send(
      @RequestBody SendEmailRequest request,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
    Accepted accepted = intake.accept(request, idempotencyKey);
    ResponseEntity.BodyBuilder response =
        ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/emails/" + accepted.id()));
    if (accepted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(new EmailAccepted(accepted.id(), accepted.status()));
  }

  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  EmailView get(@PathVariable UUID id) {
    return emails.find(id).orElseThrow(() -> notFound(id));
  }

  /**
   * Cancels an email that has not been handed to a relay: SCHEDULED, QUEUED or DEFERRED become
   * CANCELLED and are never sent. Answers 200 with the email as {@code GET} shows it; 409 when the
   * email is in any other status, naming it.
   */
  @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
  EmailView cancel(@PathVariable UUID id) {
    Cancellation result = emails.cancel(id).orElseThrow(() -> notFound(id));
    if (!result.cancelled()) {
      throw notCancellable(id, result.status());
    }
    return emails.find(id).orElseThrow(() -> notFound(id));
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

  private static ErrorResponseException notFound(UUID id) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No email with id " + id);
    problem.setTitle("Email not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }
}
