package dev.mailroom.webhook;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.webhook.WebhookController.DeliveryPage;
import dev.mailroom.webhook.WebhookController.ReplayQueued;
import dev.mailroom.webhook.WebhookController.WebhookList;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;

/**
 * The OpenAPI description of {@link WebhookController}, kept here so that the controller reads as
 * code. {@code system.ApiDocumentation} adds the problem-details bodies of error responses, and the
 * examples in {@code resources/openapi/examples/<operationId>/}.
 */
@Tag(name = "Webhooks", description = "Be told of every email event, signed per Standard Webhooks")
interface WebhookApi {

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
  ResponseEntity<WebhookView> create(ApiKey key, WebhookRequests.Create request);

  @Operation(
      operationId = "listWebhooks",
      summary = "List the project's webhook endpoints",
      description = "Every endpoint of the key's project, oldest first, without secrets.")
  @ApiResponse(responseCode = "200", description = "Every endpoint, oldest first")
  WebhookList list(ApiKey key);

  @Operation(
      operationId = "getWebhook",
      summary = "Get a webhook endpoint",
      description =
          "The endpoint without its secret; `disabledReason` says why an endpoint was disabled.")
  @ApiResponse(responseCode = "200", description = "The endpoint, without its secret")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  WebhookView get(ApiKey key, UUID id);

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
  WebhookView update(ApiKey key, UUID id, WebhookRequests.Update request);

  @Operation(
      operationId = "deleteWebhook",
      summary = "Delete a webhook endpoint",
      description = "Its pending deliveries and its delivery log go with it.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  ResponseEntity<Void> delete(ApiKey key, UUID id);

  @Operation(
      operationId = "rotateWebhookSecret",
      summary = "Rotate the signing secret",
      description =
          "Answers with a new secret, shown this once. For 24 hours deliveries are signed with"
              + " both the new and the previous secret (two signatures in webhook-signature), so"
              + " a receiver can switch without losing a delivery.")
  @ApiResponse(responseCode = "200", description = "The endpoint with its new secret")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  WebhookView rotateSecret(ApiKey key, UUID id);

  @Operation(
      operationId = "listWebhookDeliveries",
      summary = "The endpoint's delivery log",
      description =
          "Deliveries newest first, each with every try (status code or error). Pages are"
              + " keyset-based: pass the previous page's `next` as `cursor`.")
  @ApiResponse(responseCode = "200", description = "A page of deliveries")
  @ApiResponse(responseCode = "400", description = "A bad limit or cursor")
  @ApiResponse(responseCode = "404", description = "No endpoint of the key's project has this id")
  DeliveryPage deliveries(
      ApiKey key,
      UUID id,
      @Parameter(description = "1 to 100; 20 by default") @Nullable String limit,
      @Parameter(description = "The `next` of the previous page") @Nullable String cursor);

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
  ResponseEntity<ReplayQueued> replay(ApiKey key, UUID id, UUID deliveryId);
}
