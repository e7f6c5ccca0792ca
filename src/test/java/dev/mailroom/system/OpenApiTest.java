package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openapitools.codegen.CodegenConstants;
import org.openapitools.codegen.DefaultGenerator;
import org.openapitools.codegen.config.CodegenConfigurator;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document covers every endpoint the application maps, documents each one fully (a
 * summary, a description, an example for every response body), and is one that tools can trust: a
 * standard parser reads it without a message, every example validates against its schema, and a
 * Java client generated from it compiles.
 */
class OpenApiTest extends ScriptedRelayTest {

  @Autowired List<RequestMappingHandlerMapping> mappings;

  /** The served document, fetched once: every test reads the same one. */
  private static @Nullable String served;

  JsonNode spec;
  String raw;

  @BeforeEach
  void fetchTheDocument() throws Exception {
    if (served == null) {
      Api.Response response = api.withoutKey().get("/v3/api-docs");
      assertThat(response.status()).isEqualTo(200);
      served = response.raw().body();
      Files.writeString(Path.of("target/openapi.json"), served);
    }
    raw = served;
    spec = JsonMapper.builder().build().readTree(raw);
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
  void standardParserReadsTheDocumentWithoutAMessage() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);

    SwaggerParseResult result = new OpenAPIParser().readContents(raw, null, options);

    assertThat(result.getMessages()).isEmpty();
    assertThat(result.getOpenAPI().getPaths()).isNotEmpty();
  }

  @Test
  void everyOperationHasAnIdATagAndProblemDetailsForItsErrors() {
    List<String> problems = new ArrayList<>();
    Set<String> tags = new HashSet<>();
    spec.path("tags").forEach(tag -> tags.add(tag.path("name").asString()));
    spec.path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        op -> {
                          String where = op.getKey() + " " + path.getKey();
                          JsonNode operation = op.getValue();
                          if (operation.path("operationId").asString("").isBlank()) {
                            problems.add(where + ": no operationId");
                          }
                          if (operation.path("tags").isEmpty()) {
                            problems.add(where + ": no tag");
                          }
                          operation
                              .path("tags")
                              .forEach(
                                  tag -> {
                                    if (!tags.contains(tag.asString())) {
                                      problems.add(where + ": tag " + tag + " is not declared");
                                    }
                                  });
                          operation
                              .path("responses")
                              .properties()
                              .forEach(
                                  response -> {
                                    if (response.getKey().matches("[45]\\d\\d")
                                        && !response
                                            .getValue()
                                            .path("content")
                                            .path("application/problem+json")
                                            .path("schema")
                                            .path("$ref")
                                            .asString("")
                                            .equals("#/components/schemas/Problem")) {
                                      problems.add(
                                          where + " " + response.getKey() + ": not a Problem");
                                    }
                                  });
                        }));
    assertThat(problems).isEmpty();
  }

  @Test
  void everyParameterHasASchema() {
    List<String> problems = new ArrayList<>();
    for (JsonNode path : spec.path("paths")) {
      for (JsonNode operation : path) {
        for (JsonNode parameter : operation.path("parameters")) {
          if (!resolve(parameter).path("schema").isObject()) {
            problems.add(operation.path("operationId").asString() + " " + parameter);
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void infoNamesTheLicense() {
    assertThat(spec.path("info").path("license").path("name").asString()).isEqualTo("Apache-2.0");
  }

  @Test
  void everyExampleValidatesAgainstItsSchema() {
    List<DocumentedExample> examples = examples();
    SchemaRegistry registry =
        SchemaRegistry.withDefaultDialect(
            Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(DOCUMENT, raw)));
    List<String> problems = new ArrayList<>();
    for (DocumentedExample example : examples) {
      List<com.networknt.schema.Error> errors =
          registry
              .getSchema(SchemaLocation.of(DOCUMENT + "#" + example.schemaPointer()))
              .validate(example.value());
      errors.forEach(error -> problems.add(example.where() + ": " + error));
    }
    // The request and response bodies of every operation, file examples included.
    assertThat(examples)
        .extracting(DocumentedExample::where)
        .anyMatch(where -> where.contains("/requestBody/"))
        .anyMatch(where -> where.contains("/responses/"))
        .anyMatch(where -> where.contains("/parameters/"))
        .anyMatch(where -> where.startsWith("/components/schemas/"));
    assertThat(problems).isEmpty();
  }

  @Test
  void generatedJavaClientCompiles() throws Exception {
    Path out = Path.of("target/openapi-client");
    FileSystemUtils.deleteRecursively(out);
    Path input = Path.of("target/openapi.json");
    CodegenConfigurator config =
        new CodegenConfigurator()
            .setGeneratorName("java")
            .setLibrary("native")
            .setInputSpec(input.toAbsolutePath().toString())
            .setOutputDir(out.toAbsolutePath().toString())
            .setApiPackage("dev.mailroom.client.api")
            .setModelPackage("dev.mailroom.client.model")
            .setInvokerPackage("dev.mailroom.client")
            // EmailAddressList as a class: the java generator cannot write a oneOf with a List.
            .setGenerateAliasAsModel(true)
            .addAdditionalProperty("openApiNullable", false)
            .addAdditionalProperty("useJakartaEe", true)
            .addAdditionalProperty("annotationLibrary", "none")
            .addAdditionalProperty("hideGenerationTimestamp", true);
    DefaultGenerator generator = new DefaultGenerator();
    for (String off :
        List.of(
            CodegenConstants.API_TESTS,
            CodegenConstants.MODEL_TESTS,
            CodegenConstants.API_DOCS,
            CodegenConstants.MODEL_DOCS)) {
      generator.setGeneratorPropertyDefault(off, "false");
    }
    List<File> sources =
        generator.opts(config.toClientOptInput()).generate().stream()
            .filter(file -> file.getName().endsWith(".java"))
            .toList();

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path classes = Files.createDirectories(out.resolve("classes"));
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      boolean compiled =
          javac
              .getTask(
                  null,
                  files,
                  diagnostics,
                  List.of(
                      "-proc:none",
                      "-classpath",
                      System.getProperty("java.class.path"),
                      "-d",
                      classes.toString()),
                  null,
                  files.getJavaFileObjectsFromFiles(sources))
              .call();
      assertThat(diagnostics.getDiagnostics())
          .filteredOn(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .isEmpty();
      assertThat(compiled).isTrue();
    }
    assertThat(sources)
        .extracting(File::getName)
        .contains("EmailsApi.java", "TemplatesApi.java", "SendEmailRequest.java");
  }

  private static final String DOCUMENT = "urn:mailroom:openapi";

  /** An example in the document, and the JSON pointer of the schema it illustrates. */
  record DocumentedExample(String where, String schemaPointer, JsonNode value) {}

  /**
   * Every example in the document: of request and response bodies (those of openapi/examples/ among
   * them), of parameters and headers, and of schemas and their properties.
   */
  private List<DocumentedExample> examples() {
    List<DocumentedExample> examples = new ArrayList<>();
    collect(spec, "", examples);
    return examples;
  }

  private void collect(JsonNode node, String pointer, List<DocumentedExample> examples) {
    if (!node.isContainer()) {
      return;
    }
    if (node.isObject() && node.has("schema") && !pointer.startsWith("/components/schemas")) {
      // A media type, parameter or header: its examples illustrate its schema.
      String schema = pointer + "/schema";
      if (node.has("example")) {
        examples.add(new DocumentedExample(pointer + "/example", schema, node.get("example")));
      }
      node.path("examples")
          .properties()
          .forEach(
              e ->
                  examples.add(
                      new DocumentedExample(
                          pointer + "/examples/" + e.getKey(),
                          schema,
                          resolve(e.getValue()).path("value"))));
    }
    if (node.isObject()
        && pointer.startsWith("/components/schemas/")
        && node.has("example")
        && !pointer.endsWith("/properties")) {
      examples.add(new DocumentedExample(pointer + "/example", pointer, node.get("example")));
    }
    if (node.isObject()) {
      node.properties()
          .forEach(
              child -> {
                if (!child.getKey().equals("examples") && !child.getKey().equals("example")) {
                  collect(child.getValue(), pointer + "/" + escape(child.getKey()), examples);
                }
              });
    } else {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), pointer + "/" + i, examples);
      }
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
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
