package dev.mailroom.domain;

import dev.mailroom.message.DkimSigner.Algorithm;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sender domains of a project: create with new keys, list, delete, check the DNS records, rotate
 * the keys. Every change is committed before the signing cache is reloaded, so intake never signs
 * with a key the database does not hold. DNS lookups run outside any transaction.
 */
@Service
class Domains {

  private final DomainRepository domains;
  private final KeyVault vault;
  private final DnsRecords records;
  private final DnsLookup dns;
  private final SigningKeys signingKeys;
  private final TransactionTemplate transaction;

  Domains(
      DomainRepository domains,
      KeyVault vault,
      DnsRecords records,
      DnsLookup dns,
      SigningKeys signingKeys,
      TransactionTemplate transaction) {
    this.domains = domains;
    this.vault = vault;
    this.records = records;
    this.dns = dns;
    this.signingKeys = signingKeys;
    this.transaction = transaction;
  }

  Domain create(String project, CreateDomainRequest request) {
    if (!vault.available()) {
      throw new InvalidRequestException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "Sender domains are not enabled",
          List.of(
              FieldProblem.at(
                  "/name",
                  "the operator has not set mailroom.domains.encryption-key, which protects the"
                      + " DKIM keys")));
    }
    String name = validName(request.name());
    List<Algorithm> algorithms = algorithms(request.algorithms());
    if (transaction.execute(tx -> domains.existsByProjectAndName(project, name))) {
      throw exists(name);
    }
    Instant now = Instant.now();
    Domain domain = new Domain(project, name, now);
    String selector = selector(now, Set.of());
    for (Algorithm algorithm : algorithms) {
      domain.addKey(newKey(domain, selector, algorithm, KeyState.ACTIVE, now));
    }
    try {
      transaction.executeWithoutResult(tx -> domains.saveAndFlush(domain));
    } catch (DataIntegrityViolationException e) {
      throw exists(name); // created at the same moment by another request
    }
    signingKeys.refresh();
    return domain;
  }

  List<Domain> list(String project) {
    return transaction.execute(tx -> domains.findByProjectOrderByName(project));
  }

  Optional<Domain> find(String project, String name) {
    return DomainNames.normalize(name)
        .flatMap(n -> transaction.execute(tx -> domains.findByProjectAndName(project, n)));
  }

  boolean delete(String project, String name) {
    Optional<Domain> found = find(project, name);
    if (found.isEmpty()) {
      return false;
    }
    transaction.executeWithoutResult(tx -> domains.deleteById(found.get().id()));
    signingKeys.refresh();
    return true;
  }

  /** Looks up every record now and records what was found. */
  Optional<Domain> verify(String project, String name) {
    return find(project, name).map(this::check);
  }

  /**
   * Checks one domain's records and settles its keys. Used by {@link #verify} and the periodic
   * recheck, which finds domains by id across projects.
   */
  Domain check(Domain domain) {
    Instant now = Instant.now();
    List<RecordCheck> found = records.check(records.expected(domain), dns, now);
    Domain saved =
        transaction.execute(
            tx -> {
              Domain current = domains.findById(domain.id()).orElse(null);
              if (current == null) {
                return domain; // deleted while its records were looked up
              }
              current.checked(found, now);
              current.settleKeys(now);
              return domains.saveAndFlush(current);
            });
    signingKeys.refresh();
    return saved;
  }

  Optional<Domain> checkById(UUID id) {
    return transaction.execute(tx -> domains.findById(id)).map(this::check);
  }

  List<UUID> dueForRecheck(int limit) {
    return transaction.execute(
        tx -> domains.findIdsToRecheck(org.springframework.data.domain.Limit.of(limit)));
  }

  /**
   * Adds keys under a new selector, one per algorithm the domain signs with; they sign once their
   * record is verified, and then the keys before them retire.
   */
  Optional<Domain> rotate(String project, String name) {
    Optional<Domain> found = find(project, name);
    if (found.isEmpty()) {
      return found;
    }
    Domain domain = found.get();
    if (!domain.keys(KeyState.PENDING).isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.CONFLICT,
          "A rotation is already waiting",
          List.of(
              FieldProblem.at(
                  "/name",
                  "the keys of selector '"
                      + domain.keys(KeyState.PENDING).get(0).selector()
                      + "' wait for their DNS record; publish it and verify the domain first")));
    }
    Instant now = Instant.now();
    Set<String> used = new HashSet<>();
    domain.keys().forEach(key -> used.add(key.selector()));
    String selector = selector(now, used);
    Set<Algorithm> algorithms = new LinkedHashSet<>();
    domain.keys(KeyState.ACTIVE).forEach(key -> algorithms.add(key.algorithm()));
    Domain saved =
        transaction.execute(
            tx -> {
              Domain current = domains.findById(domain.id()).orElseThrow();
              for (Algorithm algorithm : algorithms) {
                current.addKey(newKey(current, selector, algorithm, KeyState.PENDING, now));
              }
              return domains.saveAndFlush(current);
            });
    signingKeys.refresh();
    return Optional.of(saved);
  }

  private DomainKey newKey(
      Domain domain, String selector, Algorithm algorithm, KeyState state, Instant now) {
    UUID id = UUID.randomUUID();
    DkimKeys.Generated pair = DkimKeys.generate(algorithm);
    byte[] sealed = vault.encrypt(id, pair.privateKey());
    java.util.Arrays.fill(pair.privateKey(), (byte) 0);
    String keySelector = algorithm == Algorithm.RSA_SHA256 ? selector : selector + "-ed";
    return new DomainKey(id, domain, keySelector, algorithm, pair.publicKey(), sealed, state, now);
  }

  /**
   * {@code mr<year><letter>}: the first letter not used by this domain's keys, so a rotation in the
   * same year gets {@code mr2026b}, then {@code mr2026c}.
   */
  static String selector(Instant now, Set<String> used) {
    String base = "mr" + now.atZone(ZoneOffset.UTC).getYear();
    for (char letter = 'a'; letter <= 'z'; letter++) {
      String candidate = base + letter;
      if (!used.contains(candidate) && !used.contains(candidate + "-ed")) {
        return candidate;
      }
    }
    for (int n = 1; ; n++) {
      String candidate = base + "z" + n;
      if (!used.contains(candidate) && !used.contains(candidate + "-ed")) {
        return candidate;
      }
    }
  }

  private static String validName(@Nullable String name) {
    if (name == null || name.isBlank()) {
      throw InvalidRequestException.invalid(
          List.of(FieldProblem.at("/name", "is required: a domain name such as acme.example")));
    }
    return DomainNames.normalize(name)
        .orElseThrow(
            () ->
                InvalidRequestException.invalid(
                    List.of(
                        FieldProblem.at(
                            "/name",
                            "'"
                                + printable(name)
                                + "' is not a domain name (expected e.g. acme.example:"
                                + " two or more labels of letters, digits and hyphens)"))));
  }

  private static List<Algorithm> algorithms(@Nullable List<@Nullable String> requested) {
    if (requested == null) {
      return List.of(Algorithm.RSA_SHA256);
    }
    List<FieldProblem> problems = new ArrayList<>();
    List<Algorithm> algorithms = new ArrayList<>();
    if (requested.isEmpty()) {
      problems.add(FieldProblem.at("/algorithms", "must name at least one algorithm"));
    }
    for (int i = 0; i < requested.size(); i++) {
      String tag = requested.get(i);
      try {
        Algorithm algorithm = Algorithm.of(tag == null ? "" : tag.strip());
        if (algorithms.contains(algorithm)) {
          problems.add(FieldProblem.at("/algorithms/" + i, "'" + tag + "' is listed twice"));
        }
        algorithms.add(algorithm);
      } catch (IllegalArgumentException e) {
        problems.add(
            FieldProblem.at(
                "/algorithms/" + i,
                "'"
                    + printable(String.valueOf(tag))
                    + "' is not one of rsa-sha256 and ed25519-sha256"));
      }
    }
    if (!problems.isEmpty()) {
      throw InvalidRequestException.invalid(problems);
    }
    return List.copyOf(new LinkedHashSet<>(algorithms));
  }

  private static InvalidRequestException exists(String name) {
    return new InvalidRequestException(
        HttpStatus.CONFLICT,
        "The domain exists",
        List.of(FieldProblem.at("/name", "'" + name + "' is already a domain of this project")));
  }

  /** A caller's text echoed back: bounded, and without control characters. */
  private static String printable(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }
}
