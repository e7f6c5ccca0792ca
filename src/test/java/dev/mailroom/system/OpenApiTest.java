package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI document covers every endpoint the application maps, and documents each one fully: a
 * summary, a description, and an example for every response body.
 */
class OpenApiTest extends ScriptedRelayTest {

  @Autowired List<RequestMappingHandlerMapping> mappings;

  JsonNode spec;

  @BeforeEach
  void fetchTheDocument() throws Exception {
    Api.Response response = api.withoutKey().get("/v3/api-docs");
    assertThat(response.status()).isEqualTo(200);
    spec = response.body();
    Files.writeString(Path.of("target/openapi.json"), response.raw().body());
  }

  @Test
  void documentIsOpenApi31AndPublic() {
    assertThat(spec.path("openapi").asString()).startsWith("3.1");
    assertThat(spec.path("info").path("title").asString()).isEqualTo("Mailroom");
  }

  @Test
  void everyHandlerIsDocumented() {
    List<String> missing = new ArrayList<>();
    handlers()
        .forEach(
            (info, handler) ->
                operations(info)
                    .forEach(
                        op -> {
                          if (operation(op).isMissingNode()) {
                            missing.add(op + " (" + handler.getShortLogMessage() + ")");
                          }
                        }));
    assertThat(handlers()).isNotEmpty();
    assertThat(missing).as("handlers missing from /v3/api-docs").isEmpty();
  }

  @Test
  void everyOperationHasASummaryADescriptionAndResponseExamples() {
    List<String> problems = new ArrayList<>();
    handlers().keySet().stream()
        .flatMap(info -> operations(info).stream())
        .forEach(
            op -> {
              JsonNode operation = operation(op);
              if (operation.path("summary").asString("").isBlank()) {
                problems.add(op + ": no summary");
              }
              if (operation.path("description").asString("").isBlank()) {
                problems.add(op + ": no description");
              }
              if (!operation.path("responses").propertyNames().stream()
                  .anyMatch(s -> s.startsWith("2"))) {
                problems.add(op + ": no success response");
              }
              operation
                  .path("responses")
                  .properties()
                  .forEach(
                      response -> {
                        String where = op + " " + response.getKey();
                        if (response.getValue().path("description").asString("").isBlank()) {
                          problems.add(where + ": no description");
                        }
                        response
                            .getValue()
                            .path("content")
                            .properties()
                            .forEach(
                                media -> {
                                  if (!hasExample(media.getValue())) {
                                    problems.add(where + " " + media.getKey() + ": no example");
                                  }
                                });
                      });
            });
    assertThat(problems).isEmpty();
  }

  @Test
  void errorResponsesAreProblemDetails() {
    JsonNode send = spec.path("paths").path("/emails").path("post").path("responses");

    for (String status : List.of("400", "401", "403", "413", "415", "422", "429")) {
      assertThat(send.path(status).path("content").propertyNames())
          .as(status)
          .containsExactly("application/problem+json");
    }
  }

  @Test
  void bearerKeyIsDeclaredAndRequired() {
    JsonNode schemes = spec.path("components").path("securitySchemes");
    String name = schemes.propertyNames().iterator().next();

    assertThat(schemes.path(name).path("type").asString()).isEqualTo("http");
    assertThat(schemes.path(name).path("scheme").asString()).isEqualTo("bearer");
    assertThat(spec.path("security").get(0).has(name)).isTrue();
  }

  @Test
  void documentedRequestExamplesAreAccepted() {
    JsonNode examples =
        spec.path("paths")
            .path("/emails")
            .path("post")
            .path("requestBody")
            .path("content")
            .path("application/json")
            .path("examples");
    assertThat(examples.size()).isGreaterThanOrEqualTo(2);
    examples.forEach(
        example -> {
          JsonNode value = resolve(example).path("value");
          assertThat(api.post("/emails", value.toString()).status())
              .as(value.toString())
              .isEqualTo(202);
        });
  }

  @Test
  void examplesUseOnlyDocumentedFields() {
    List<String> problems = new ArrayList<>();
    for (JsonNode media : mediaTypes()) {
      JsonNode properties = resolve(media.path("schema")).path("properties");
      for (JsonNode example : media.path("examples")) {
        for (String field : resolve(example).path("value").propertyNames()) {
          if (!properties.has(field)) {
            problems.add(field + " in " + example);
          }
        }
      }
    }
    assertThat(mediaTypes()).isNotEmpty();
    assertThat(problems).as("example fields missing from their schema").isEmpty();
  }

  /** Every request and response body of every operation. */
  private List<JsonNode> mediaTypes() {
    List<JsonNode> media = new ArrayList<>();
    for (JsonNode path : spec.path("paths")) {
      for (JsonNode operation : path) {
        operation.path("requestBody").path("content").forEach(media::add);
        operation.path("responses").forEach(r -> r.path("content").forEach(media::add));
      }
    }
    return media;
  }

  @Test
  void swaggerUiIsServedWithoutAKey() {
    Api.Response response = api.withoutKey().get("/swagger-ui/index.html");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).startsWith("text/html");
  }

  @Test
  void yamlDocumentIsServedWithoutAKey() {
    Api.Response response = api.withoutKey().get("/v3/api-docs.yaml");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.raw().body()).startsWith("openapi: 3.1");
  }

  /** The application's own handlers, not the ones libraries add (Swagger UI, /error). */
  private Map<RequestMappingInfo, HandlerMethod> handlers() {
    Map<RequestMappingInfo, HandlerMethod> handlers = new java.util.LinkedHashMap<>();
    for (RequestMappingHandlerMapping mapping : mappings) {
      mapping
          .getHandlerMethods()
          .forEach(
              (info, handler) -> {
                if (handler.getBeanType().getPackageName().startsWith("dev.mailroom")) {
                  handlers.put(info, handler);
                }
              });
    }
    return handlers;
  }

  record Op(String method, String path) {
    @Override
    public String toString() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  private static List<Op> operations(RequestMappingInfo info) {
    List<String> methods =
        info.getMethodsCondition().getMethods().isEmpty()
            ? List.of("get", "post", "put", "patch", "delete")
            : info.getMethodsCondition().getMethods().stream()
                .map(RequestMethod::name)
                .map(m -> m.toLowerCase(Locale.ROOT))
                .toList();
    List<Op> operations = new ArrayList<>();
    for (String path : info.getPatternValues()) {
      for (String method : methods) {
        operations.add(new Op(method, path));
      }
    }
    return operations;
  }

  private JsonNode operation(Op op) {
    return spec.path("paths").path(op.path()).path(op.method());
  }

  private boolean hasExample(JsonNode media) {
    if (media.has("example")) {
      return true;
    }
    for (JsonNode example : media.path("examples")) {
      if (resolve(example).has("value")) {
        return true;
      }
    }
    return false;
  }

  private JsonNode resolve(JsonNode node) {
    String ref = node.path("$ref").asString("");
    if (ref.isEmpty()) {
      return node;
    }
    JsonNode target = spec;
    for (String segment : ref.substring(2).split("/")) {
      target = target.path(segment);
    }
    return target;
  }
}
