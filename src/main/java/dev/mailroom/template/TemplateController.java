package dev.mailroom.template;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Stored templates: immutable versions, archive, preview. */
// OpenAPI: system.ApiDocumentation adds the problem-details bodies of error responses, and the
// examples in resources/openapi/examples/<operationId>/.
@RestController
@RequestMapping(path = "/templates", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Templates", description = "Store versioned email templates, preview and archive them")
class TemplateController {

  private final TemplateCatalog catalog;
  private final TemplateStore store;

  TemplateController(TemplateCatalog catalog, TemplateStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  record TemplateList(List<TemplateSummary> templates) {}

  record TemplateSummary(
      String name,
      int latestVersion,
      boolean archived,
      Instant createdAt,
      @Schema(description = "When the latest version was created") Instant updatedAt) {

    static TemplateSummary of(TemplateStore.Summary summary) {
      return new TemplateSummary(
          summary.name(),
          summary.latestVersion(),
          summary.archivedAt() != null,
          summary.createdAt(),
          summary.updatedAt());
    }
  }

  record TemplateDetails(
      String name,
      int latestVersion,
      boolean archived,
      @Nullable Instant archivedAt,
      Instant createdAt,
      Instant updatedAt,
      @Schema(description = "Every version, oldest first") List<TemplateStore.VersionInfo> versions,
      VersionView latest) {}

  record LocaleView(
      String subject,
      String html,
      @Schema(description = "Null when the text part is derived from the HTML")
          @Nullable String text) {}

  record VersionView(
      String name,
      int version,
      @Schema(description = "SHA-256 of the content, in hex") String contentHash,
      @Schema(description = "API for a PUT, FILE for a template folder imported at startup")
          TemplateStore.Source source,
      Instant createdAt,
      String subject,
      String html,
      @Schema(description = "Null when the text part is derived from the HTML")
          @Nullable String text,
      @Schema(description = "Variants by language tag") Map<String, LocaleView> locales,
      @Schema(description = "Variables every email must give, sorted")
          List<String> requiredVariables) {

    static VersionView of(TemplateStore.StoredVersion stored) {
      EmailTemplate template = stored.template();
      TemplateContent content = template.content();
      Map<String, LocaleView> locales = new LinkedHashMap<>();
      content
          .locales()
          .forEach(
              (locale, v) -> locales.put(locale, new LocaleView(v.subject(), v.html(), v.text())));
      return new VersionView(
          template.name(),
          template.version(),
          template.contentHash(),
          stored.source(),
          stored.createdAt(),
          content.base().subject(),
          content.base().html(),
          content.base().text(),
          locales,
          content.requiredVariables());
    }
  }

  record Preview(
      String name,
      int version,
      @Schema(description = "The variant used: fr, fr-CA or default", example = "fr") String locale,
      String subject,
      String html,
      @Schema(description = "The rendered text part, or text derived from the HTML") String text) {}

  @Operation(
      operationId = "listTemplates",
      summary = "List templates",
      description =
          "Every stored template, archived ones included, by name, without content. Needs the"
              + " `templates` scope.")
  @ApiResponse(responseCode = "200", description = "The templates")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping
  TemplateList list() {
    return new TemplateList(store.list().stream().map(TemplateSummary::of).toList());
  }

  @Operation(
      operationId = "getTemplate",
      summary = "Get a template",
      description =
          "The template's version history and the content of its latest version. Archived"
              + " templates are returned too. Needs the `templates` scope.")
  @ApiResponse(responseCode = "200", description = "The template")
  @ApiResponse(responseCode = "404", description = "No template has this name")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping("/{name}")
  TemplateDetails get(@Parameter(example = "welcome") @PathVariable String name) {
    if (!TemplateNames.isValid(name)) {
      throw new TemplateNotFoundException(name);
    }
    TemplateStore.Summary summary =
        store.summary(name).orElseThrow(() -> new TemplateNotFoundException(name));
    TemplateStore.StoredVersion latest =
        store
            .version(name, summary.latestVersion())
            .orElseThrow(() -> new TemplateNotFoundException(name));
    return new TemplateDetails(
        name,
        summary.latestVersion(),
        summary.archivedAt() != null,
        summary.archivedAt(),
        summary.createdAt(),
        summary.updatedAt(),
        store.versions(name),
        VersionView.of(latest));
  }

  @Operation(
      operationId = "getTemplateVersion",
      summary = "Get a template version",
      description =
          "One version's content. Versions are immutable: emails rendered from this version"
              + " used exactly this content. Needs the `templates` scope.")
  @ApiResponse(responseCode = "200", description = "The version")
  @ApiResponse(responseCode = "400", description = "The version is not a number")
  @ApiResponse(responseCode = "404", description = "No template has this name, or no such version")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping("/{name}/versions/{version}")
  VersionView version(
      @Parameter(example = "welcome") @PathVariable String name,
      @Parameter(example = "2") @PathVariable int version) {
    if (!TemplateNames.isValid(name)) {
      throw new TemplateNotFoundException(name);
    }
    return store
        .version(name, version)
        .map(VersionView::of)
        .orElseThrow(
            () ->
                store.summary(name).isPresent()
                    ? new TemplateNotFoundException(name, version)
                    : new TemplateNotFoundException(name));
  }

  /**
   * Creates the next version: 201 with its Location, or 200 with the latest version when the
   * content equals it (Content-Location names that version; nothing was created).
   */
  @Operation(
      operationId = "saveTemplate",
      summary = "Create or update a template",
      description =
          "Checks the content (Thymeleaf syntax, and expressions limited to the variables) and"
              + " stores it as the template's next version; new emails use it from now on. The"
              + " same content as the latest version creates nothing. A PUT to an archived"
              + " template restores it with a new version. Needs the `templates` scope.")
  @ApiResponse(
      responseCode = "201",
      description = "A new version was created",
      headers =
          @Header(
              name = "Location",
              description = "/templates/{name}/versions/{version}",
              schema = @Schema(type = "string")))
  @ApiResponse(
      responseCode = "200",
      description = "The content equals the latest version, which is returned; nothing created",
      headers =
          @Header(
              name = "Content-Location",
              description = "/templates/{name}/versions/{version}",
              schema = @Schema(type = "string")))
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field or a wrong type")
  @ApiResponse(responseCode = "413", description = "The body is over the size limit")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(
      responseCode = "422",
      description = "An invalid name or field, or a syntax error located by field, line and column")
  @ApiResponse(responseCode = "503", description = "The database is unreachable; nothing stored")
  @PutMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<VersionView> put(
      @Parameter(
              description =
                  "1-64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit, no '..'",
              example = "welcome")
          @PathVariable
          String name,
      @RequestBody TemplateRequest request) {
    TemplateStore.Saved saved = catalog.save(name, request);
    VersionView version = VersionView.of(store.version(name, saved.version()).orElseThrow());
    URI location = URI.create("/templates/" + name + "/versions/" + saved.version());
    if (saved.created()) {
      return ResponseEntity.created(location).body(version);
    }
    return ResponseEntity.ok()
        .header(HttpHeaders.CONTENT_LOCATION, location.toString())
        .body(version);
  }

  /** Archives: no new email may use the template; emails rendered from it keep their version. */
  @Operation(
      operationId = "archiveTemplate",
      summary = "Archive a template",
      description =
          "New emails can no longer use the template (422); emails already rendered from it keep"
              + " their version, and it can still be read and previewed. A PUT restores it."
              + " Archiving twice is a 204 too. Needs the `templates` scope.")
  @ApiResponse(responseCode = "204", description = "Archived")
  @ApiResponse(responseCode = "404", description = "No template has this name")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @DeleteMapping("/{name}")
  ResponseEntity<Void> archive(@Parameter(example = "welcome") @PathVariable String name) {
    if (!TemplateNames.isValid(name) || !store.archive(name)) {
      throw new TemplateNotFoundException(name);
    }
    return ResponseEntity.noContent().build();
  }

  /** Renders without sending or storing anything. */
  @Operation(
      operationId = "previewTemplate",
      summary = "Preview a template",
      description =
          "Renders a version (the latest by default) with the given variables and locale, as POST"
              + " /emails would, without sending or storing anything. Archived templates can be"
              + " previewed. Needs the `templates` scope.")
  @ApiResponse(responseCode = "200", description = "The rendered subject, HTML and text")
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field or a wrong type")
  @ApiResponse(responseCode = "404", description = "No template has this name, or no such version")
  @ApiResponse(responseCode = "413", description = "The body is over the size limit")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(
      responseCode = "422",
      description = "Missing variables, an invalid locale or version, or a failed rendering")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @PostMapping(path = "/{name}/preview", consumes = MediaType.APPLICATION_JSON_VALUE)
  Preview preview(
      @Parameter(example = "welcome") @PathVariable String name,
      @RequestBody PreviewRequest request) {
    RenderedTemplate rendered = catalog.preview(name, request);
    return new Preview(
        rendered.name(),
        Integer.parseInt(rendered.version()),
        rendered.locale(),
        rendered.subject(),
        rendered.html(),
        rendered.text());
  }

  @ExceptionHandler(TemplateNotFoundException.class)
  ResponseEntity<ProblemDetail> notFound(TemplateNotFoundException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Template not found");
    return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem);
  }
}
