package dev.mailroom.email;

import dev.mailroom.apikey.SenderDomains;
import dev.mailroom.email.EmailIntake.Accepted;
import dev.mailroom.email.EmailRepository.Cancellation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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

// OpenAPI: system.ApiDocumentation adds the problem-details bodies of error responses, and the
// examples in resources/openapi/examples/<operationId>/.
@RestController
@RequestMapping("/emails")
@Tag(name = "Emails", description = "Send transactional email and follow its delivery")
class EmailController {

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
  record EmailAccepted(
      @Schema(description = "The email's id, for GET /emails/{id}") UUID id,
      @Schema(description = "QUEUED, or the current status of a replayed request")
          EmailStatus status) {}

  @Operation(
      operationId = "sendEmail",
      summary = "Send an email",
      description =
          "Validates and renders the email, commits it to the outbox and answers 202; dispatchers"
              + " then deliver it. Give a template with its variables, or a subject with html"
              + " and/or text. Needs the `send` scope; `from` must be in the key's sender domains"
              + " if it has any. The same Idempotency-Key and body answer the original email again,"
              + " with `Idempotent-Replayed: true`.")
  @ApiResponse(
      responseCode = "202",
      description = "Committed to the outbox; it will be delivered",
      headers =
          @Header(
              name = "Location",
              description = "/emails/{id}",
              schema = @Schema(type = "string")))
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field, a wrong type or a bad Idempotency-Key")
  @ApiResponse(
      responseCode = "403",
      description = "The key lacks the send scope, or `from` is outside its sender domains")
  @ApiResponse(responseCode = "409", description = "The same Idempotency-Key is still in flight")
  @ApiResponse(
      responseCode = "413",
      description = "The body is over the size limit (15 MB by default)")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(
      responseCode = "422",
      description = "Invalid fields, an unknown template or missing template variables")
  @ApiResponse(responseCode = "503", description = "The database is unreachable; nothing stored")
  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<EmailAccepted> send(
      @RequestBody SendEmailRequest request,
      @Parameter(
              description =
                  "1-255 visible ASCII characters. The same key with the same body returns the"
                      + " original email instead of sending another.",
              example = "order-1001")
          @RequestHeader(name = "Idempotency-Key", required = false)
          @Nullable String idempotencyKey) {
    senders.check(request.from() == null ? null : request.from().email());
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

  @Operation(
      operationId = "sendEmailBatch",
      summary = "Send up to 500 emails in one request",
      description =
          "Validates and renders every email first: if any is invalid the answer is one 422 whose"
              + " problems are prefixed with the item's index (`/emails/17/to/0/email`) and nothing"
              + " is stored. Otherwise all are committed in one transaction and the ids come back"
              + " in request order. Needs the `send` scope; an Idempotency-Key covers the batch as"
              + " a whole.")
  @ApiResponse(responseCode = "202", description = "All emails committed, ids in request order")
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field or a wrong type")
  @ApiResponse(
      responseCode = "403",
      description = "The key lacks the send scope, or a `from` is outside its sender domains")
  @ApiResponse(responseCode = "409", description = "The same Idempotency-Key is still in flight")
  @ApiResponse(responseCode = "413", description = "The body is over the batch size limit")
  @ApiResponse(responseCode = "422", description = "One or more emails are invalid; none stored")
  @ApiResponse(responseCode = "503", description = "The database is unreachable; nothing stored")
  @PostMapping(
      path = "/batch",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<BatchAccepted> sendBatch(
      @RequestBody SendBatchRequest batch,
      @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
    List<@Nullable SendEmailRequest> items = batch.emails() == null ? List.of() : batch.emails();
    for (int i = 0; i < items.size(); i++) {
      SendEmailRequest item = items.get(i);
      if (item != null && item.from() != null) {
        senders.check(item.from().email(), "/emails/" + i + "/from");
      }
    }
    EmailIntake.BatchAccepted accepted = intake.acceptBatch(batch, idempotencyKey);
    ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.ACCEPTED);
    if (accepted.replayed()) {
      response.header("Idempotent-Replayed", "true");
    }
    return response.body(
        new BatchAccepted(
            accepted.emails().stream().map(a -> new EmailAccepted(a.id(), a.status())).toList()));
  }

  @Operation(
      operationId = "listEmails",
      summary = "Search emails, newest first",
      description =
          "Filters combine with AND. Pages are keyset-based: pass the previous page's `next` as"
              + " `cursor`; emails accepted meanwhile never shift or repeat later pages. Needs the"
              + " `read` scope.",
      parameters = {
        @Parameter(
            name = "status",
            in = ParameterIn.QUERY,
            description = "An email status",
            example = "SENT"),
        @Parameter(
            name = "recipient",
            in = ParameterIn.QUERY,
            description = "A to, cc or bcc address, any case",
            example = "zoe@example.com"),
        @Parameter(
            name = "tag",
            in = ParameterIn.QUERY,
            description = "One of the email's tags",
            example = "onboarding"),
        @Parameter(
            name = "template",
            in = ParameterIn.QUERY,
            description = "The template name",
            example = "welcome"),
        @Parameter(
            name = "createdAfter",
            in = ParameterIn.QUERY,
            description = "Inclusive ISO-8601 instant",
            example = "2026-11-01T00:00:00Z"),
        @Parameter(
            name = "createdBefore",
            in = ParameterIn.QUERY,
            description = "Exclusive ISO-8601 instant",
            example = "2026-12-01T00:00:00Z"),
        @Parameter(
            name = "limit",
            in = ParameterIn.QUERY,
            description = "1-100, default 20",
            example = "20"),
        @Parameter(
            name = "cursor",
            in = ParameterIn.QUERY,
            description = "The `next` of the previous page")
      })
  @ApiResponse(responseCode = "200", description = "A page of emails and the cursor of the next")
  @ApiResponse(responseCode = "400", description = "An unknown, repeated or malformed parameter")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  EmailPage list(@Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
    return search.search(EmailFilter.parse(parameters));
  }

  @Operation(
      operationId = "getEmail",
      summary = "Get an email's status",
      description =
          "The email's status, the template it was rendered from, each recipient with its own"
              + " status and last SMTP reply, and every delivery attempt. Needs the `read` scope.")
  @ApiResponse(responseCode = "200", description = "The email")
  @ApiResponse(responseCode = "400", description = "The id is not a UUID")
  @ApiResponse(responseCode = "404", description = "No email has this id")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  EmailView get(
      @Parameter(example = "0b6f5a3c-6c1e-4a5e-9a57-3f8e7f0f1d2a") @PathVariable UUID id) {
    return emails.find(id).orElseThrow(() -> notFound(id));
  }

  /**
   * Cancels an email that has not been handed to a relay: SCHEDULED, QUEUED or DEFERRED become
   * CANCELLED and are never sent. Answers 200 with the email as {@code GET} shows it; 409 when the
   * email is in any other status, naming it.
   */
  @Operation(
      operationId = "cancelEmail",
      summary = "Cancel an email not yet handed to a relay",
      description =
          "A SCHEDULED, QUEUED or DEFERRED email becomes CANCELLED and is never sent; the answer is"
              + " the email as GET shows it. Decided by one conditional update, so a cancel racing"
              + " a dispatcher either wins or is a 409. Needs the `send` scope.")
  @ApiResponse(responseCode = "200", description = "Cancelled; the email as it is now")
  @ApiResponse(responseCode = "400", description = "The id is not a UUID")
  @ApiResponse(responseCode = "404", description = "No email has this id")
  @ApiResponse(
      responseCode = "409",
      description = "The email is SENDING, SENT, FAILED or already CANCELLED (see emailStatus)")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
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
