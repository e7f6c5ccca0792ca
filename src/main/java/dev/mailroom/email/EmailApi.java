package dev.mailroom.email;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.email.EmailController.BatchAccepted;
import dev.mailroom.email.EmailController.EmailAccepted;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;

/**
 * The OpenAPI description of {@link EmailController}, kept here so that the controller reads as
 * code. {@code system.ApiDocumentation} adds the problem-details bodies of error responses, and the
 * examples in {@code resources/openapi/examples/<operationId>/}.
 */
@Tag(name = "Emails", description = "Send transactional email and follow its delivery")
interface EmailApi {

  String IDEMPOTENCY_KEY = "Idempotency-Key";
  String EXAMPLE_ID = "0b6f5a3c-6c1e-4a5e-9a57-3f8e7f0f1d2a";

  @Operation(
      operationId = "sendEmail",
      summary = "Send an email",
      description =
          "Validates and renders the email, commits it to the outbox and answers 202; dispatchers"
              + " then deliver it. Give a template with its variables, or a subject with html"
              + " and/or text. Needs the `send` scope; `from` must be in the key's sender domains"
              + " if it has any. The same Idempotency-Key and body answer the original email again,"
              + " with `Idempotent-Replayed: true`.",
      parameters =
          @Parameter(
              name = IDEMPOTENCY_KEY,
              in = ParameterIn.HEADER,
              description =
                  "1-255 visible ASCII characters. The same key with the same body returns the"
                      + " original answer instead of sending again.",
              schema = @Schema(type = "string", pattern = "^[!-~]{1,255}$"),
              example = "order-1001"))
  @ApiResponse(
      responseCode = "202",
      description = "Committed to the outbox; it will be delivered",
      headers = {
        @Header(name = "Location", description = "/emails/{id}", schema = @Schema(type = "string")),
        @Header(
            name = "Idempotent-Replayed",
            description = "`true` when this answers an earlier request with the same key",
            schema = @Schema(type = "string", allowableValues = "true"))
      })
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
  ResponseEntity<EmailAccepted> send(
      @Parameter(hidden = true) ApiKey key,
      SendEmailRequest request,
      @Nullable String idempotencyKey);

  @Operation(
      operationId = "sendEmailBatch",
      summary = "Send up to 500 emails in one request",
      description =
          "Validates and renders every email first: if any is invalid the answer is one 422 whose"
              + " problems are prefixed with the item's index (`/emails/17/to/0/email`) and nothing"
              + " is stored. Otherwise all are committed in one transaction and the ids come back"
              + " in request order. Needs the `send` scope; an Idempotency-Key covers the batch as"
              + " a whole.",
      parameters =
          @Parameter(
              name = IDEMPOTENCY_KEY,
              in = ParameterIn.HEADER,
              description =
                  "1-255 visible ASCII characters. The same key with the same body returns the"
                      + " original answer instead of sending again.",
              schema = @Schema(type = "string", pattern = "^[!-~]{1,255}$"),
              example = "order-1001"))
  @ApiResponse(
      responseCode = "202",
      description = "All emails committed, ids in request order",
      headers =
          @Header(
              name = "Idempotent-Replayed",
              description = "`true` when this answers an earlier request with the same key",
              schema = @Schema(type = "string", allowableValues = "true")))
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field or a wrong type")
  @ApiResponse(
      responseCode = "403",
      description = "The key lacks the send scope, or a `from` is outside its sender domains")
  @ApiResponse(responseCode = "409", description = "The same Idempotency-Key is still in flight")
  @ApiResponse(responseCode = "413", description = "The body is over the batch size limit")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(responseCode = "422", description = "One or more emails are invalid; none stored")
  @ApiResponse(responseCode = "503", description = "The database is unreachable; nothing stored")
  ResponseEntity<BatchAccepted> sendBatch(
      @Parameter(hidden = true) ApiKey key,
      SendBatchRequest batch,
      @Nullable String idempotencyKey);

  @Operation(
      operationId = "listEmails",
      summary = "Search emails, newest first",
      description =
          "Filters combine with AND. Pages are keyset-based: pass the previous page's `next` as"
              + " `cursor`; emails accepted meanwhile never shift or repeat later pages. Any other"
              + " parameter, or one given twice, is a 400. Needs the `read` scope; lists the key's"
              + " project only, or every project for an `admin` key, which may filter by"
              + " `project`.",
      parameters = {
        @Parameter(
            name = "status",
            in = ParameterIn.QUERY,
            description = "An email status (any case)",
            schema = @Schema(implementation = EmailStatus.class),
            example = "SENT"),
        @Parameter(
            name = "recipient",
            in = ParameterIn.QUERY,
            description = "A to, cc or bcc address, any case",
            schema = @Schema(type = "string"),
            example = "zoe@example.com"),
        @Parameter(
            name = "tag",
            in = ParameterIn.QUERY,
            description = "One of the email's tags",
            schema = @Schema(type = "string", pattern = "^[A-Za-z0-9_.:-]{1,64}$"),
            example = "onboarding"),
        @Parameter(
            name = "template",
            in = ParameterIn.QUERY,
            description = "The template name",
            schema = @Schema(type = "string", pattern = "^[a-z0-9._-]{1,64}$"),
            example = "welcome"),
        @Parameter(
            name = "createdAfter",
            in = ParameterIn.QUERY,
            description = "Inclusive ISO-8601 instant",
            schema = @Schema(type = "string", format = "date-time"),
            example = "2026-11-01T00:00:00Z"),
        @Parameter(
            name = "createdBefore",
            in = ParameterIn.QUERY,
            description = "Exclusive ISO-8601 instant, later than createdAfter",
            schema = @Schema(type = "string", format = "date-time"),
            example = "2026-12-01T00:00:00Z"),
        @Parameter(
            name = "project",
            in = ParameterIn.QUERY,
            description =
                "Admin keys: only this project's emails. Other keys may give only their own"
                    + " project (403 otherwise)",
            schema = @Schema(type = "string", pattern = "^[A-Za-z0-9_.-]{1,64}$"),
            example = "shop"),
        @Parameter(
            name = "limit",
            in = ParameterIn.QUERY,
            description = "How many emails per page",
            schema =
                @Schema(
                    type = "integer",
                    format = "int32",
                    minimum = "1",
                    maximum = "100",
                    defaultValue = "20"),
            example = "20"),
        @Parameter(
            name = "cursor",
            in = ParameterIn.QUERY,
            description = "The `next` of the previous page",
            schema = @Schema(type = "string"),
            example = "AAYFrZ1x0gALb1o8bB5KXppXPzh_Dx0q")
      })
  @ApiResponse(responseCode = "200", description = "A page of emails and the cursor of the next")
  @ApiResponse(responseCode = "400", description = "An unknown, repeated or malformed parameter")
  @ApiResponse(
      responseCode = "403",
      description = "`project` names another project and the key is not `admin`")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  EmailPage list(
      @Parameter(hidden = true) ApiKey key,
      @Parameter(hidden = true) MultiValueMap<String, String> parameters);

  @Operation(
      operationId = "getEmail",
      summary = "Get an email's status",
      description =
          "The email's status, the template it was rendered from, each recipient with its own"
              + " status and last SMTP reply, and every delivery attempt. Needs the `read` scope."
              + " Another project's email is not found (404), unless the key is `admin`.",
      parameters =
          @Parameter(
              name = "id",
              in = ParameterIn.PATH,
              description = "The id POST /emails answered",
              example = EXAMPLE_ID))
  @ApiResponse(responseCode = "200", description = "The email")
  @ApiResponse(responseCode = "400", description = "The id is not a UUID")
  @ApiResponse(responseCode = "404", description = "No email of the key's project has this id")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  EmailView get(@Parameter(hidden = true) ApiKey key, UUID id);

  @Operation(
      operationId = "cancelEmail",
      summary = "Cancel an email not yet handed to a relay",
      description =
          "A SCHEDULED, QUEUED or DEFERRED email becomes CANCELLED and is never sent; the answer is"
              + " the email as GET shows it. Decided by one conditional update, so a cancel racing"
              + " a dispatcher either wins or is a 409. Needs the `send` scope.",
      parameters =
          @Parameter(
              name = "id",
              in = ParameterIn.PATH,
              description = "The id POST /emails answered",
              example = EXAMPLE_ID))
  @ApiResponse(responseCode = "200", description = "Cancelled; the email as it is now")
  @ApiResponse(responseCode = "400", description = "The id is not a UUID")
  @ApiResponse(responseCode = "404", description = "No email of the key's project has this id")
  @ApiResponse(
      responseCode = "409",
      description = "The email is SENDING, SENT, FAILED or already CANCELLED (see emailStatus)")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  EmailView cancel(@Parameter(hidden = true) ApiKey key, UUID id);
}
