package dev.mailroom.webhook;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.event.WebhooksQueued;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.webhook.WebhookDeliveries.LogEntry;
import dev.mailroom.webhook.WebhookDeliveries.Position;
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
 * The project's webhook endpoints, their delivery log and replays; described for OpenAPI in {@link
 * WebhookApi}. Needs the {@code webhooks} scope; a key sees only its own project's endpoints, and
 * another project's are not found (404).
 */
@RestController
@RequestMapping("/webhooks")
class WebhookController implements WebhookApi {

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

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<WebhookView> create(
      @AuthenticationPrincipal ApiKey key, @RequestBody WebhookRequests.Create request) {
    WebhookView created = endpoints.create(project(key), request);
    return ResponseEntity.created(URI.create("/webhooks/" + created.id())).body(created);
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public WebhookList list(@AuthenticationPrincipal ApiKey key) {
    return new WebhookList(endpoints.list(project(key)));
  }

  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public WebhookView get(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    return endpoints.get(project(key), id);
  }

  @PatchMapping(
      path = "/{id}",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public WebhookView update(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable UUID id,
      @RequestBody WebhookRequests.Update request) {
    try {
      return endpoints.update(project(key), id, request);
    } catch (OptimisticLockingFailureException e) {
      throw conflict("Webhook endpoint " + id + " changed while it was being updated; try again");
    }
  }

  @DeleteMapping(path = "/{id}")
  @Override
  public ResponseEntity<Void> delete(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    endpoints.delete(project(key), id);
    return ResponseEntity.noContent().build();
  }

  @PostMapping(path = "/{id}/rotate-secret", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public WebhookView rotateSecret(@AuthenticationPrincipal ApiKey key, @PathVariable UUID id) {
    try {
      return endpoints.rotateSecret(project(key), id);
    } catch (OptimisticLockingFailureException e) {
      throw conflict("Webhook endpoint " + id + " changed while rotating its secret; try again");
    }
  }

  @GetMapping(path = "/{id}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public DeliveryPage deliveries(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable UUID id,
      @RequestParam(required = false) @Nullable String limit,
      @RequestParam(required = false) @Nullable String cursor) {
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

  @PostMapping(
      path = "/{id}/deliveries/{deliveryId}/replay",
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<ReplayQueued> replay(
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
