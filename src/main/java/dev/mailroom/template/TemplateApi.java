package dev.mailroom.template;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.template.TemplateController.Preview;
import dev.mailroom.template.TemplateController.TemplateDetails;
import dev.mailroom.template.TemplateController.TemplateList;
import dev.mailroom.template.TemplateController.VersionView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;

/**
 * The OpenAPI description of {@link TemplateController}, kept here so that the controller reads as
 * code. {@code system.ApiDocumentation} adds the problem-details bodies of error responses, and the
 * examples in {@code resources/openapi/examples/<operationId>/}.
 */
@Tag(name = "Templates", description = "Store versioned email templates, preview and archive them")
interface TemplateApi {

  @Operation(
      operationId = "listTemplates",
      summary = "List templates",
      description =
          "The project's templates and the shared ones from files, archived ones included, by"
              + " name, without content. Needs the `templates` scope.")
  @ApiResponse(responseCode = "200", description = "The templates")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  TemplateList list(@Parameter(hidden = true) ApiKey key);

  @Operation(
      operationId = "getTemplate",
      summary = "Get a template",
      description =
          "The template's version history and the content of its latest version. Archived"
              + " templates are returned too. Needs the `templates` scope.",
      parameters =
          @Parameter(
              name = "name",
              in = ParameterIn.PATH,
              description = "The template's name",
              example = "welcome"))
  @ApiResponse(responseCode = "200", description = "The template")
  @ApiResponse(responseCode = "404", description = "No template has this name")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  TemplateDetails get(@Parameter(hidden = true) ApiKey key, String name);

  @Operation(
      operationId = "getTemplateVersion",
      summary = "Get a template version",
      description =
          "One version's content. Versions are immutable: emails rendered from this version"
              + " used exactly this content. Needs the `templates` scope.",
      parameters = {
        @Parameter(
            name = "name",
            in = ParameterIn.PATH,
            description = "The template's name",
            example = "welcome"),
        @Parameter(
            name = "version",
            in = ParameterIn.PATH,
            description = "A version number, from 1",
            example = "2")
      })
  @ApiResponse(responseCode = "200", description = "The version")
  @ApiResponse(responseCode = "400", description = "The version is not a number")
  @ApiResponse(responseCode = "404", description = "No template has this name, or no such version")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  VersionView version(@Parameter(hidden = true) ApiKey key, String name, int version);

  @Operation(
      operationId = "saveTemplate",
      summary = "Create or update a template",
      description =
          "Checks the content (Thymeleaf syntax, and expressions limited to the variables) and"
              + " stores it as the template's next version; new emails use it from now on. The"
              + " same content as the latest version creates nothing. A PUT to an archived"
              + " template restores it with a new version. A shared template (from files) cannot be"
              + " changed, nor shadowed by a project's own of its name (409). Needs the"
              + " `templates` scope.",
      parameters =
          @Parameter(
              name = "name",
              in = ParameterIn.PATH,
              description =
                  "1-64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit, no '..'",
              schema = @Schema(type = "string", pattern = "^[a-z0-9][a-z0-9._-]{0,63}$"),
              example = "onboarding"))
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
  @ApiResponse(
      responseCode = "409",
      description = "The name is a shared template's, from files: read-only")
  @ApiResponse(responseCode = "413", description = "The body is over the size limit")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(
      responseCode = "422",
      description = "An invalid name or field, or a syntax error located by field, line and column")
  @ApiResponse(responseCode = "503", description = "The database is unreachable; nothing stored")
  ResponseEntity<VersionView> put(
      @Parameter(hidden = true) ApiKey key, String name, TemplateRequest request);

  @Operation(
      operationId = "archiveTemplate",
      summary = "Archive a template",
      description =
          "New emails can no longer use the template (422); emails already rendered from it keep"
              + " their version, and it can still be read and previewed. A PUT restores it."
              + " Archiving twice is a 204 too. Needs the `templates` scope.",
      parameters =
          @Parameter(
              name = "name",
              in = ParameterIn.PATH,
              description = "The template's name",
              example = "welcome"))
  @ApiResponse(responseCode = "204", description = "Archived")
  @ApiResponse(responseCode = "404", description = "No template has this name")
  @ApiResponse(
      responseCode = "409",
      description = "The name is a shared template's, from files: read-only")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  ResponseEntity<Void> archive(@Parameter(hidden = true) ApiKey key, String name);

  @Operation(
      operationId = "previewTemplate",
      summary = "Preview a template",
      description =
          "Renders a version (the latest by default) with the given variables and locale, as POST"
              + " /emails would, without sending or storing anything. Archived templates can be"
              + " previewed. Needs the `templates` scope.",
      parameters =
          @Parameter(
              name = "name",
              in = ParameterIn.PATH,
              description = "The template's name",
              example = "welcome"))
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
  Preview preview(@Parameter(hidden = true) ApiKey key, String name, PreviewRequest request);
}
