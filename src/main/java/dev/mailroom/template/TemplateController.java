package dev.mailroom.template;

import dev.mailroom.apikey.ApiKey;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stored templates: immutable versions, archive, preview. Described for OpenAPI in {@link
 * TemplateApi}. A key sees its project's templates and the shared ones from files; another
 * project's template is not found (404), and a shared one cannot be changed (409). An admin key
 * manages its own project's templates like any other key.
 */
@RestController
@RequestMapping(path = "/templates", produces = MediaType.APPLICATION_JSON_VALUE)
class TemplateController implements TemplateApi {

  private final TemplateCatalog catalog;
  private final TemplateStore store;

  TemplateController(TemplateCatalog catalog, TemplateStore store) {
    this.catalog = catalog;
    this.store = store;
  }

  record TemplateList(List<TemplateSummary> templates) {}

  record TemplateSummary(
      String name,
      @Schema(
              description =
                  "From files, shared by every project: readable, and changed only in its files")
          boolean shared,
      int latestVersion,
      boolean archived,
      Instant createdAt,
      @Schema(description = "When the latest version was created") Instant updatedAt) {

    static TemplateSummary of(TemplateStore.Summary summary) {
      return new TemplateSummary(
          summary.name(),
          TemplateSource.SHARED.equals(summary.project()),
          summary.latestVersion(),
          summary.archivedAt() != null,
          summary.createdAt(),
          summary.updatedAt());
    }
  }

  record TemplateDetails(
      String name,
      @Schema(description = "From files, shared by every project and read-only") boolean shared,
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

  @GetMapping
  @Override
  public TemplateList list(@AuthenticationPrincipal ApiKey key) {
    return new TemplateList(store.list(key.project()).stream().map(TemplateSummary::of).toList());
  }

  @GetMapping("/{name}")
  @Override
  public TemplateDetails get(@AuthenticationPrincipal ApiKey key, @PathVariable String name) {
    TemplateStore.Summary summary = summary(key, name);
    TemplateStore.StoredVersion latest =
        store
            .version(summary.project(), name, summary.latestVersion())
            .orElseThrow(() -> new TemplateNotFoundException(name));
    return new TemplateDetails(
        name,
        TemplateSource.SHARED.equals(summary.project()),
        summary.latestVersion(),
        summary.archivedAt() != null,
        summary.archivedAt(),
        summary.createdAt(),
        summary.updatedAt(),
        store.versions(summary.project(), name),
        VersionView.of(latest));
  }

  @GetMapping("/{name}/versions/{version}")
  @Override
  public VersionView version(
      @AuthenticationPrincipal ApiKey key, @PathVariable String name, @PathVariable int version) {
    TemplateStore.Summary summary = summary(key, name);
    return store
        .version(summary.project(), name, version)
        .map(VersionView::of)
        .orElseThrow(() -> new TemplateNotFoundException(name, version));
  }

  /**
   * Creates the next version: 201 with its Location, or 200 with the latest version when the
   * content equals it (Content-Location names that version; nothing was created).
   */
  @PutMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<VersionView> put(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable String name,
      @RequestBody TemplateRequest request) {
    TemplateStore.Saved saved = catalog.save(key.project(), name, request);
    VersionView version =
        VersionView.of(store.version(key.project(), name, saved.version()).orElseThrow());
    URI location = URI.create("/templates/" + name + "/versions/" + saved.version());
    if (saved.created()) {
      return ResponseEntity.created(location).body(version);
    }
    return ResponseEntity.ok()
        .header(HttpHeaders.CONTENT_LOCATION, location.toString())
        .body(version);
  }

  /** Archives: no new email may use the template; emails rendered from it keep their version. */
  @DeleteMapping("/{name}")
  @Override
  public ResponseEntity<Void> archive(
      @AuthenticationPrincipal ApiKey key, @PathVariable String name) {
    catalog.archive(key.project(), name);
    return ResponseEntity.noContent().build();
  }

  /** Renders without sending or storing anything. */
  @PostMapping(path = "/{name}/preview", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public Preview preview(
      @AuthenticationPrincipal ApiKey key,
      @PathVariable String name,
      @RequestBody PreviewRequest request) {
    RenderedTemplate rendered = catalog.preview(key.project(), name, request);
    return new Preview(
        rendered.name(),
        Integer.parseInt(rendered.version()),
        rendered.locale(),
        rendered.subject(),
        rendered.html(),
        rendered.text());
  }

  /** The key's project's template of this name, else the shared one. */
  private TemplateStore.Summary summary(ApiKey key, String name) {
    if (!TemplateNames.isValid(name)) {
      throw new TemplateNotFoundException(name);
    }
    return store
        .summary(key.project(), name)
        .orElseThrow(() -> new TemplateNotFoundException(name));
  }
}
