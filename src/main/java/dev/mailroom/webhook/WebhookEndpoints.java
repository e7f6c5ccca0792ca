package dev.mailroom.webhook;

import dev.mailroom.event.EmailEventType;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.ErrorResponseException;

/**
 * Managing a project's webhook endpoints: every method acts within one project, and another
 * project's endpoint is not found (404), the same as one that does not exist.
 */
@Service
class WebhookEndpoints {

  static final int MAX_DESCRIPTION = 256;

  private final WebhookEndpointRepository endpoints;
  private final WebhookUrls urls;
  private final WebhookSettings settings;

  WebhookEndpoints(
      WebhookEndpointRepository endpoints, WebhookUrls urls, WebhookSettings settings) {
    this.endpoints = endpoints;
    this.urls = urls;
    this.settings = settings;
  }

  /** Creates the endpoint; the answer carries its secret, the only time it is shown. */
  @Transactional
  WebhookView create(String project, WebhookRequests.Create request) {
    List<FieldProblem> problems = new ArrayList<>();
    String url = url(request.url(), problems);
    List<String> events = events(request.events(), problems);
    String description = description(request.description(), problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    if (endpoints.countByProject(project) >= settings.maxEndpoints()) {
      throw InvalidRequestException.invalid(
          List.of(
              FieldProblem.at(
                  "/url",
                  "the project has "
                      + settings.maxEndpoints()
                      + " endpoints already, the most it may have; delete one first")));
    }
    String secret = WebhookSecrets.generate();
    Instant now = Instant.now();
    WebhookEndpoint endpoint =
        endpoints.save(
            new WebhookEndpoint(
                project, url, events == null ? allTypes() : events, description, secret, now));
    return WebhookView.of(endpoint, now).withSecret(secret);
  }

  @Transactional(readOnly = true)
  List<WebhookView> list(String project) {
    Instant now = Instant.now();
    return endpoints.findByProjectOrderByCreatedAtAscIdAsc(project).stream()
        .map(e -> WebhookView.of(e, now))
        .toList();
  }

  @Transactional(readOnly = true)
  WebhookView get(String project, UUID id) {
    return WebhookView.of(find(project, id), Instant.now());
  }

  @Transactional
  WebhookView update(String project, UUID id, WebhookRequests.Update request) {
    List<FieldProblem> problems = new ArrayList<>();
    String url = request.url() == null ? null : url(request.url(), problems);
    List<String> events = request.events() == null ? null : events(request.events(), problems);
    String description =
        request.description() == null ? null : description(request.description(), problems);
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    WebhookEndpoint endpoint = find(project, id);
    Instant now = Instant.now();
    if (url != null) {
      endpoint.changeUrl(url, now);
    }
    if (events != null) {
      endpoint.changeEventTypes(events, now);
    }
    if (request.description() != null) {
      endpoint.changeDescription(description, now);
    }
    if (request.enabled() != null) {
      endpoint.enable(request.enabled(), now);
    }
    return WebhookView.of(endpoints.saveAndFlush(endpoint), now);
  }

  @Transactional
  void delete(String project, UUID id) {
    endpoints.delete(find(project, id));
  }

  /** A new secret, shown in the answer; the previous one signs too for another 24 hours. */
  @Transactional
  WebhookView rotateSecret(String project, UUID id) {
    WebhookEndpoint endpoint = find(project, id);
    String secret = WebhookSecrets.generate();
    Instant now = Instant.now();
    endpoint.rotateSecret(secret, now);
    return WebhookView.of(endpoints.saveAndFlush(endpoint), now).withSecret(secret);
  }

  /** The project's endpoint, or a 404. */
  WebhookEndpoint find(String project, UUID id) {
    return endpoints.findByIdAndProject(id, project).orElseThrow(() -> notFound(id));
  }

  static ErrorResponseException notFound(UUID id) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No webhook endpoint with id " + id);
    problem.setTitle("Webhook endpoint not found");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }

  private @Nullable String url(@Nullable String url, List<FieldProblem> problems) {
    if (url == null || url.isBlank()) {
      problems.add(FieldProblem.at("/url", "is required"));
      return null;
    }
    Optional<String> refusal = urls.refusal(url.strip());
    refusal.ifPresent(reason -> problems.add(FieldProblem.at("/url", reason)));
    return url.strip();
  }

  /** The event types, each once in the order given; null when absent (every type). */
  private static @Nullable List<String> events(
      @Nullable List<@Nullable String> events, List<FieldProblem> problems) {
    if (events == null) {
      return null;
    }
    if (events.isEmpty()) {
      problems.add(
          FieldProblem.at("/events", "must name at least one event type, or be left out for all"));
      return null;
    }
    Set<String> types = new LinkedHashSet<>();
    for (int i = 0; i < events.size(); i++) {
      String type = events.get(i);
      if (type == null || EmailEventType.ofWireName(type).isEmpty()) {
        problems.add(
            FieldProblem.at(
                "/events/" + i,
                "is not an event type; expected one of " + String.join(", ", allTypes())));
      } else {
        types.add(type);
      }
    }
    return List.copyOf(types);
  }

  private static @Nullable String description(
      @Nullable String description, List<FieldProblem> problems) {
    if (description != null && description.length() > MAX_DESCRIPTION) {
      problems.add(
          FieldProblem.at("/description", "must be at most " + MAX_DESCRIPTION + " characters"));
    }
    return description == null || description.isEmpty() ? null : description;
  }

  static List<String> allTypes() {
    return Arrays.stream(EmailEventType.values()).map(EmailEventType::wireName).toList();
  }
}
