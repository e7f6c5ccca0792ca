package dev.mailroom.domain;

import dev.mailroom.apikey.ApiKey;
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

/**
 * Sender domains of the calling key's project; described for OpenAPI in {@link DomainApi}. Another
 * project's domain is a 404.
 */
@RestController
@RequestMapping(path = "/domains", produces = MediaType.APPLICATION_JSON_VALUE)
class DomainController implements DomainApi {

  private final Domains domains;
  private final DnsRecords records;

  DomainController(Domains domains, DnsRecords records) {
    this.domains = domains;
    this.records = records;
  }

  record DomainList(List<DomainView> domains) {}

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Override
  public ResponseEntity<DomainView> create(
      @AuthenticationPrincipal ApiKey key, @RequestBody CreateDomainRequest request) {
    Domain domain = domains.create(project(key), request);
    return ResponseEntity.created(URI.create("/domains/" + domain.name()))
        .body(DomainView.of(domain, records));
  }

  @GetMapping
  @Override
  public DomainList list(@AuthenticationPrincipal ApiKey key) {
    return new DomainList(
        domains.list(project(key)).stream().map(d -> DomainView.of(d, records)).toList());
  }

  @GetMapping("/{name}")
  @Override
  public DomainView get(@AuthenticationPrincipal ApiKey key, @PathVariable String name) {
    return domains
        .find(project(key), name)
        .map(d -> DomainView.of(d, records))
        .orElseThrow(() -> notFound(name));
  }

  @DeleteMapping("/{name}")
  @Override
  public ResponseEntity<Void> delete(
      @AuthenticationPrincipal ApiKey key, @PathVariable String name) {
    if (!domains.delete(project(key), name)) {
      throw notFound(name);
    }
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/{name}/verify")
  @Override
  public DomainView verify(@AuthenticationPrincipal ApiKey key, @PathVariable String name) {
    return domains
        .verify(project(key), name)
        .map(d -> DomainView.of(d, records))
        .orElseThrow(() -> notFound(name));
  }

  @PostMapping("/{name}/rotate")
  @Override
  public DomainView rotate(@AuthenticationPrincipal ApiKey key, @PathVariable String name) {
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
