package dev.mailroom.webhook;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.event.WebhooksQueued;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.webhook.WebhookDeliveries.LogEntry;
import dev.mailroom.webhook.WebhookDeliveries.Position;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The project's webhook endpoints, their delivery log and replays. Needs the {@code webhooks}
 * scope; a key sees only its own project's endpoints, and another project's are not found (404).
 */
@RestController
@RequestMapping("/webhooks")
@Tag(name = "Webhooks", description = "Be told of every email event, signed per Standard Webhooks")
class WebhookController {

  static final int MAX_PAGE = 100;

  private final WebhookEndpoints endpoints;
  private final WebhookDeliveries deliveries;
  private final ApplicationEventPublisher publisher;

  WebhookController(
      WebhookEndpoints endpoints,
      WebhookDeliveries deliveries,
      ApplicationEventPublisher publisher) {
    this.endpoints = endpoints;
    this.deliveries = deliveries;
    this.publisher = publisher;
  }

  record WebhookList(List<WebhookView> webhooks) {}

  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record DeliveryPage(
      List<LogEntry> deliveries,
      @io.swagger.v3.oas.annotations.media.Schema(
              description = "The cursor of the next page; absent on the last")
          @Nullable String next) {}

  record ReplayQueued(UUID id, String webhookId, String status) {}

  @Operation(
      operationId = "createWebhook",
      summary = "Add a webhook endpoint",
      description =
          "Events of the key's project (all types, or those in `events`) are POSTed to `url`"
              + " signed per Standard Webhooks. The answer carries the signing secret"
              + " (`whsec_...`): it is shown this once. The URL must be http or https and resolve"
              + " to public addresses only.")
  @ApiResponse(responseCode = "201", description = "Created; the answer holds the secret")
  @ApiResponse(responseCode = "400", description = "Unparseable JSON or an unknown field")
  @ApiResponse(
      responseCode = "422",
      description =
          "A bad or refused URL (private, loopback or link-local address), an unknown event type")
  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<WebhookView> create(
      @AuthenticationPrincipal ApiKey key, @RequestBody WebhookRequests.Create request) {
    WebhookView created = endpoints.create(project(key), request);
    return ResponseEntity.created(URI.create("/webhooks/" + created.id())).body(created);
  }

  @Operation(
      operationId = "listWebhooks",
      summary = "List the project's webhook endpoints",
      description = "Every endpoint of the key's project, oldest first, without secrets.")
  @ApiResponse(responseCode = "200", description = "Every endpoint, oldest first")
  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookList list(@AuthenticationPrincipal ApiKey key) {
    return new WebhookList(endpoints.list(project(key)));
  }

  @Operation(
      operationId = "getWebhook",
      summary = "Get a webhook endpoint",
      description =
          "The endpoint without its secret; `disabledReason` says why an endpoint was disabled.")
  @ApiResponse(responseCode = "200", description = "The endpoint, without its secret")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookView get(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    return endpoints.get(project(key), id);
  }

  @Operation(
      operationId = "updateWebhook",
      summary = "Change a webhook endpoint",
      description =
          "Changes url, events, description or enabled; absent fields stay. Enabling a disabled"
              + " endpoint clears `disabledReason`; its failed deliveries can then be replayed.")
  @ApiResponse(responseCode = "200", description = "The endpoint as it is now")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  @ApiResponse(responseCode = "409", description = "The endpoint changed meanwhile; try again")
  @ApiResponse(responseCode = "422", description = "A bad or refused URL, an unknown event type")
  @PatchMapping(
      path = "/{id}",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookView update(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable UUID id,
      @RequestBody WebhookRequests.Update request) {
    try {
      return endpoints.update(project(key), id, request);
    } catch (OptimisticLockingFailureException e) {
      throw conflict("Webhook endpoint " + id + " changed while it was being updated; try again");
    }
  }

  @Operation(
      operationId = "deleteWebhook",
      summary = "Delete a webhook endpoint",
      description = "Its pending deliveries and its delivery log go with it.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  @DeleteMapping(path = "/{id}")
  ResponseEntity<Void> delete(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    endpoints.delete(project(key), id);
    return ResponseEntity.noContent().build();
  }

  @Operation(
      operationId = "rotateWebhookSecret",
      summary = "Rotate the signing secret",
      description =
          "Answers with a new secret, shown this once. For 24 hours deliveries are signed with"
              + " both the new and the previous secret (two signatures in webhook-signature), so"
              + " a receiver can switch without losing a delivery.")
  @ApiResponse(responseCode = "200", description = "The endpoint with its new secret")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  @PostMapping(path = "/{id}/rotate-secret", produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookView rotateSecret(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    try {
      return endpoints.rotateSecret(project(key), id);
    } catch (OptimisticLockingFailureException e) {
      throw conflict("Webhook endpoint " + id + " changed while rotating its secret; try again");
    }
  }

  @Operation(
      operationId = "listWebhookDeliveries",
      summary = "The endpoint's delivery log",
      description =
          "Deliveries newest first, each with every try (status code or error). Pages are"
              + " keyset-based: pass the previous page's `next` as `cursor`.")
  @ApiResponse(responseCode = "200", description = "A page of deliveries")
  @ApiResponse(responseCode = "400", description = "A bad limit or cursor")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  @GetMapping(path = "/{id}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
  DeliveryPage deliveries(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable UUID id,
      @Parameter(description = "1 to 100; 20 by default") @RequestParam(required = false)
          @Nullable String limit,
      @Parameter(description = "The `next` of the previous page") @RequestParam(required = false)
          @Nullable String cursor) {
    int size = limit(limit);
    Position after = cursor == null ? null : decode(cursor);
    endpoints.find(project(key), id);
    List<LogEntry> page = deliveries.log(id, after, size);
    if (page.size() <= size) {
      return new DeliveryPage(page, null);
    }
    LogEntry last = page.get(size - 1);
    return new DeliveryPage(
        page.subList(0, size), encode(new Position(last.createdAt(), last.id())));
  }

  @Operation(
      operationId = "replayWebhookDelivery",
      summary = "Deliver one delivery again",
      description =
          "Queues the delivery again at once, with the same webhook-id and body, and a fresh"
              + " three-day retry window: for a delivered one a receiver lost, or a failed one"
              + " after the receiver was fixed.")
  @ApiResponse(responseCode = "202", description = "Queued")
  @ApiResponse(responseCode = "404", description = "No such endpoint or delivery in the project")
  @ApiResponse(
      responseCode = "409",
      description = "The delivery is being sent right now, or the endpoint is disabled")
  @PostMapping(
      path = "/{id}/deliveries/{deliveryId}/replay",
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<ReplayQueued> replay(
      @AuthenticationPrincipal ApiKey key, @PathVariable UUID id, @PathVariable UUID deliveryId) {
    WebhookView endpoint = endpoints.get(project(key), id);
    if (!endpoint.enabled()) {
      throw conflict("Webhook endpoint " + id + " is disabled; enable it before replaying");
    }
    switch (deliveries.replay(id, deliveryId)) {
      case QUEUED -> publisher.publishEvent(new WebhooksQueued(1));
      case IN_FLIGHT ->
          throw conflict("Delivery " + deliveryId + " is being sent right now; replay it after");
      case NOT_FOUND -> {
        ProblemDetail problem =
            ProblemDetail.forStatusAndDetail(
                HttpStatus.NOT_FOUND, "No delivery with id " + deliveryId + " for endpoint " + id);
        problem.setTitle("Webhook delivery not found");
        throw new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
      }
    }
    return ResponseEntity.accepted()
        .body(new ReplayQueued(deliveryId, "msg_" + deliveryId, "PENDING"));
  }

  /**
   * The project the key acts in: its endpoints, and only those, are the key's. An admin key reads
   * every project's emails, but webhook endpoints hold secrets: it manages its own project's only.
   */
  private static String project(ApiKey key) {
    return key.project();
  }

  private static int limit(@Nullable String limit) {
    if (limit == null) {
      return 20;
    }
    try {
      int value = Integer.parseInt(limit);
      if (value >= 1 && value <= MAX_PAGE) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw badParameter("limit", "must be a whole number from 1 to " + MAX_PAGE);
  }

  static String encode(Position position) {
    String raw = position.createdAt() + " " + position.id();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static Position decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int space = raw.indexOf(' ');
      return new Position(
          Instant.parse(raw.substring(0, space)), UUID.fromString(raw.substring(space + 1)));
    } catch (RuntimeException e) {
      throw badParameter("cursor", "is not a cursor this API gave out");
    }
  }

  private static InvalidRequestException badParameter(String name, String detail) {
    return new InvalidRequestException(
        HttpStatus.BAD_REQUEST,
        "The request has invalid parameters",
        List.of(FieldProblem.parameter(name, detail)));
  }

  private static ErrorResponseException conflict(String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
    problem.setTitle("Conflict");
    return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
  }
}
