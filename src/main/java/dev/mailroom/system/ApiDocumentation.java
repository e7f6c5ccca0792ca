package dev.mailroom.system;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Contact;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI 3.1 document at {@code /v3/api-docs} (Swagger UI at {@code /swagger-ui.html}).
 * Controllers say what each operation does and which statuses it answers; this adds what they
 * share, so that they stay readable:
 *
 * <ul>
 *   <li>the bearer API key, required by every operation, and the 401, 403 and 429 any call may get;
 *   <li>a problem-details body ({@code application/problem+json}) with a typical example for every
 *       error status;
 *   <li>request and response examples from {@code openapi/examples/<operationId>/}: {@code
 *       request-<name>.json} for the request body and {@code <status>-<name>.json} for a response.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

  static final String SECURITY_SCHEME = "apiKey";
  private static final String PROBLEM_JSON = "application/problem+json";
  private static final Pattern EXAMPLE_FILE =
      Pattern.compile(".*/openapi/examples/([^/]+)/(request|\\d{3})-([^/]+)\\.json$");

  /** An example for an operation's request body ({@code status} null) or a response. */
  record OperationExample(String operationId, @Nullable String status, String name, Object value) {}

  @Bean
  OpenAPI mailroomOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Mailroom")
                .version("1")
                .description(
                    "Transactional email: POST an email (a template and its variables, or a"
                        + " subject and body), get 202 once it is committed to the outbox, and GET"
                        + " it to see each recipient's fate and every delivery attempt. Every call"
                        + " needs an API key; errors are RFC 9457 problem details.")
                .license(
                    new License()
                        .name("Apache-2.0")
                        .url("https://www.apache.org/licenses/LICENSE-2.0"))
                .contact(new Contact().name("Mailroom maintainers")))
        // Relative, so that the document is right behind any proxy or host name.
        .servers(List.of(new Server().url("/")))
        .components(
            new Components()
                .addSecuritySchemes(
                    SECURITY_SCHEME,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("mr_…")
                        .description(
                            "An API key, sent as 'Authorization: Bearer mr_…'. Each key has"
                                + " scopes (send, read, templates, suppressions, domains, webhooks,"
                                + " admin) and belongs to a project: it sees that project's emails,"
                                + " templates, suppressions, domains and webhooks"
                                + " only, and an admin key every project's emails.")))
        .addSecurityItem(new SecurityRequirement().addList(SECURITY_SCHEME));
  }

  @Bean
  OpenApiCustomizer sharedDocumentation(JsonMapper json) {
    List<OperationExample> examples = loadExamples(json);
    return openApi -> {
      Components components = openApi.getComponents();
      boolean openapi31 = openApi.getOpenapi() != null && openApi.getOpenapi().startsWith("3.1");
      ModelConverters.getInstance(openapi31)
          .readAll(new AnnotatedType(ProblemSchema.class))
          .forEach(components::addSchemas);
      components.addSchemas("EmailAddress", emailAddress());
      if (openApi.getPaths() != null) {
        openApi
            .getPaths()
            .values()
            .forEach(
                path ->
                    path.readOperations()
                        .forEach(
                            operation -> {
                              addSharedResponses(operation);
                              addExamples(operation, examples);
                            }));
      }
    };
  }

  private static void addSharedResponses(Operation operation) {
    ApiResponses responses = operation.getResponses();
    responses.putIfAbsent(
        "401",
        new ApiResponse()
            .description(
                "No API key, an Authorization header that is not 'Bearer <key>', or an unknown key")
            .addHeaderObject("WWW-Authenticate", header("Bearer realm=\"mailroom\"")));
    responses.putIfAbsent(
        "403", new ApiResponse().description("The API key lacks the scope this operation needs"));
    responses.putIfAbsent(
        "429",
        new ApiResponse()
            .description("The API key is over its rate limit")
            .addHeaderObject("Retry-After", header("Seconds until a request is admitted again")));
    ApiResponses sorted = new ApiResponses();
    new TreeMap<>(responses)
        .forEach(
            (status, response) -> {
              if (status.matches("[45]\\d\\d")
                  && (response.getContent() == null
                      || !response.getContent().containsKey(PROBLEM_JSON))) {
                response.setContent(problem(Integer.parseInt(status)));
              }
              sorted.addApiResponse(status, response);
            });
    operation.setResponses(sorted);
  }

  private static void addExamples(Operation operation, List<OperationExample> examples) {
    for (OperationExample example : examples) {
      if (!example.operationId().equals(operation.getOperationId())) {
        continue;
      }
      Content content;
      if (example.status() == null) {
        content =
            operation.getRequestBody() == null ? null : operation.getRequestBody().getContent();
      } else {
        ApiResponse response = operation.getResponses().get(example.status());
        content = response == null ? null : response.getContent();
      }
      if (content == null) {
        throw new IllegalStateException(
            "openapi/examples/"
                + example.operationId()
                + ": operation has no "
                + (example.status() == null ? "request body" : example.status() + " response body")
                + " for example '"
                + example.name()
                + "'");
      }
      content
          .values()
          .forEach(
              media -> media.addExamples(example.name(), new Example().value(example.value())));
    }
  }

  private static List<OperationExample> loadExamples(JsonMapper json) {
    try {
      Resource[] files =
          new PathMatchingResourcePatternResolver()
              .getResources("classpath*:openapi/examples/*/*.json");
      return java.util.Arrays.stream(files)
          .map(file -> example(json, file))
          .sorted(java.util.Comparator.comparing(OperationExample::name))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OperationExample example(JsonMapper json, Resource file) {
    try (InputStream in = file.getInputStream()) {
      String location = file.getURL().toString();
      Matcher m = EXAMPLE_FILE.matcher(location);
      if (!m.matches()) {
        throw new IllegalStateException(
            location + ": expected openapi/examples/<operationId>/(request|<status>)-<name>.json");
      }
      String status = m.group(2).equals("request") ? null : m.group(2);
      return new OperationExample(m.group(1), status, m.group(3), json.readValue(in, Object.class));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read OpenAPI example " + file, e);
    }
  }

  private static Content problem(int status) {
    return new Content()
        .addMediaType(
            PROBLEM_JSON,
            new MediaType()
                .schema(new Schema<>().$ref("#/components/schemas/Problem"))
                .addExamples(
                    Integer.toString(status), new Example().value(ProblemExamples.of(status))));
  }

  private static Header header(String description) {
    return new Header().description(description).schema(new Schema<>().types(Set.of("string")));
  }

  /** An address is a string, with or without a display name, or an object. */
  @SuppressWarnings("rawtypes")
  private static Schema emailAddress() {
    Schema<?> string =
        new Schema<>()
            .types(Set.of("string"))
            .description("'jane@example.com' or 'Jane Doe <jane@example.com>'")
            .example("Jane Doe <jane@example.com>");
    Map<String, Schema> properties = new LinkedHashMap<>();
    properties.put("email", new Schema<>().types(Set.of("string")).example("jane@example.com"));
    properties.put(
        "name",
        new Schema<>()
            .types(new java.util.LinkedHashSet<>(List.of("string", "null")))
            .example("Jane Doe"));
    // Unknown fields are refused, as everywhere in a request body.
    Schema<?> object =
        new Schema<>()
            .types(Set.of("object"))
            .properties(properties)
            .required(List.of("email"))
            .additionalProperties(false);
    return new Schema<>()
        .description(
            "An email address, optionally with a display name. Domains may be internationalised;"
                + " local parts are ASCII.")
        .oneOf(List.of(string, object));
  }
}
