package dev.mailroom.email;

import dev.mailroom.email.EmailIntake.Accepted;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
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

@RestController
@RequestMapping("/emails")
class EmailController {

  private final EmailIntake intake;
  private final EmailRepository emails;
  private final EmailSearch search;

  EmailController(EmailIntake intake, EmailRepository emails, EmailSearch search) {
    this.intake = intake;
    this.emails = emails;
    this.search = search;
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

  /** The answer to an accepted batch: one entry per email, in request order. */
  record BatchAccepted(List<EmailAccepted> emails) {}

  @PostMapping(
      path = "/batch",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<BatchAccepted> sendBatch(
      @RequestBody SendBatchRequest batch,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
    EmailIntake.BatchAccepted accepted = intake.acceptBatch(batch, idempotencyKey);
    ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.ACCEPTED);
    if (accepted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(
        new BatchAccepted(
            accepted.emails().stream().map(a -> new EmailAccepted(a.id(), a.status())).toList()));
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  EmailPage list(@RequestParam MultiValueMap<String, String> parameters) {
    return search.search(EmailFilter.parse(parameters));
  }

  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  EmailView get(@PathVariable UUID id) {
    return emails.find(id).orElseThrow(() -> notFound(id));
  }

  private static ErrorResponseException notFound(UUID id) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No email with id " + id);
    problem.setTitle("Email not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }
}
