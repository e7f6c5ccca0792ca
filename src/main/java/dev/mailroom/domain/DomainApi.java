package dev.mailroom.domain;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.domain.DomainController.DomainList;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;

/**
 * The OpenAPI description of {@link DomainController}, kept here so that the controller reads as
 * code. {@code system.ApiDocumentation} adds the problem-details bodies of error responses, and the
 * examples in {@code resources/openapi/examples/<operationId>/}.
 */
@Tag(
    name = "Domains",
    description = "Sender domains: DKIM keys, the DNS records to publish, and their verification")
interface DomainApi {

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
  ResponseEntity<DomainView> create(ApiKey key, CreateDomainRequest request);

  @Operation(
      operationId = "listDomains",
      summary = "List sender domains",
      description = "The project's domains by name, each with its keys and records.")
  @ApiResponse(responseCode = "200", description = "The project's domains")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  DomainList list(ApiKey key);

  @Operation(
      operationId = "getDomain",
      summary = "Get a sender domain",
      description = "Its keys, and the DNS records to publish with what the last check found.")
  @ApiResponse(responseCode = "200", description = "The domain")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  DomainView get(ApiKey key, @Parameter(example = "acme.example") String name);

  @Operation(
      operationId = "deleteDomain",
      summary = "Delete a sender domain",
      description =
          "Deletes the domain and its keys: email from it is no longer signed. Emails already"
              + " accepted keep the signature they were stored with.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "The project has no such domain")
  @ApiResponse(responseCode = "503", description = "The database is unreachable")
  ResponseEntity<Void> delete(ApiKey key, @Parameter(example = "acme.example") String name);

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
  DomainView verify(ApiKey key, @Parameter(example = "acme.example") String name);

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
  DomainView rotate(ApiKey key, @Parameter(example = "acme.example") String name);
}
