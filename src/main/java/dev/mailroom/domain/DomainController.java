package dev.mailroom.domain;

import dev.mailroom.apikey.ApiKey;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Sender domains of the calling key's project. Another project's domain is a 404. */
// OpenAPI: system.ApiDocumentation adds the problem-details bodies of error responses, and the
// examples in resources/openapi/examples/<operationId>/.
@RestController
@RequestMapping(path = "/domains", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(
    name = "Domains",
    description = "Sender domains: DKIM keys, the DNS records to publish, and their verification")
class DomainController {

  private final Domains domains;
  private final DnsRecords records;

  DomainController(Domains domains, DnsRecords records) {
    this.domains = domains;
    this.records = records;
  }

  record DomainList(List<DomainView> domains) {}

  @Operation(
      operationId = "createDomain",
      summary = "Add a sender domain",
      description =
          "Makes a DKIM key pair (RSA-2048 by default; Ed25519 too with \"algorithms\":"
              + " [\"rsa-sha256\", \"ed25519-sha256\"]) under a new selector, and answers the DNS"
              + " records to publish. Email from the domain is signed from now on. Needs the"
              + " `domains` scope.")
  @ApiResponse(responseCode = "201", description = "Created, with the records to publish")
  @ApiResponse(
      responseCode = "400",
      description = "Unparseable JSON, an unknown field or a wrong type")
  @ApiResponse(responseCode = "409", description = "The project has this domain already")
  @ApiResponse(responseCode = "415", description = "The body is not application/json")
  @ApiResponse(responseCode = "422", description = "Not a domain name, or an unknown algorithm")
  @ApiResponse(
      responseCode = "503",
      description = "The database is unreachable, or sender domains are not enabled")
  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<DomainView> create(
      @AuthenticationPrincipal ApiKey key, @RequestBody CreateDomainRequest request) {
    Domain domain = domains.create(project(key), request);
    return ResponseEntity.created(URI.create("/domains/" + domain.name()))
        .body(DomainView.of(domain, records));
  }

  @Operation(
      operationId = "listDomains",
      summary = "List sender domains",
      description = "The project's domains by name, each with its keys and records.")
  @ApiResponse(responseCode = "200", description = "The project's domains")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping
  DomainList list(@AuthenticationPrincipal ApiKey key) {
    return new DomainList(
        domains.list(project(key)).stream().map(d -> DomainView.of(d, records)).toList());
  }

  @Operation(
      operationId = "getDomain",
      summary = "Get a sender domain",
      description = "Its keys, and the DNS records to publish with what the last check found.")
  @ApiResponse(responseCode = "200", description = "The domain")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @GetMapping("/{name}")
  DomainView get(
      @AuthenticationPrincipal ApiKey key,
      @Parameter(example = "acme.example") @PathVariable String name) {
    return domains
        .find(project(key), name)
        .map(d -> DomainView.of(d, records))
        .orElseThrow(() -> notFound(name));
  }

  @Operation(
      operationId = "deleteDomain",
      summary = "Delete a sender domain",
      description =
          "Deletes the domain and its keys: email from it is no longer signed. Emails already"
              + " accepted keep the signature they were stored with.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @DeleteMapping("/{name}")
  ResponseEntity<Void> delete(
      @AuthenticationPrincipal ApiKey key,
      @Parameter(example = "acme.example") @PathVariable String name) {
    if (!domains.delete(project(key), name)) {
      throw notFound(name);
    }
    return ResponseEntity.noContent().build();
  }

  @Operation(
      operationId = "verifyDomain",
      summary = "Check the DNS records now",
      description =
          "Looks every record up and records its state: verified, missing, or mismatch with what"
              + " was found. A rotation's new keys take over once their record is verified. The"
              + " service also rechecks periodically.")
  @ApiResponse(responseCode = "200", description = "The domain, with what the check found")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @PostMapping("/{name}/verify")
  DomainView verify(
      @AuthenticationPrincipal ApiKey key,
      @Parameter(example = "acme.example") @PathVariable String name) {
    return domains
        .verify(project(key), name)
        .map(d -> DomainView.of(d, records))
        .orElseThrow(() -> notFound(name));
  }

  @Operation(
      operationId = "rotateDomain",
      summary = "Rotate the DKIM keys",
      description =
          "Adds keys under a new selector, one per algorithm. The current keys keep signing until"
              + " the new record is published and verified; then they retire.")
  @ApiResponse(responseCode = "200", description = "The domain, with the new record to publish")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "409", description = "A rotation is already waiting for its record")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  @PostMapping("/{name}/rotate")
  DomainView rotate(
      @AuthenticationPrincipal ApiKey key,
      @Parameter(example = "acme.example") @PathVariable String name) {
    return domains
        .rotate(project(key), name)
        .map(d -> DomainView.of(d, records))
        .orElseThrow(() -> notFound(name));
  }

  /** The project whose domains a key manages: its own, admin keys included. */
  static String project(ApiKey key) {
    return key.project();
  }

  private static ErrorResponseException notFound(String name) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.NOT_FOUND, "This project has no sender domain '" + printable(name) + "'");
    problem.setTitle("Unknown domain");
    return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
  }

  private static String printable(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }
}
