package dev.mailroom.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The records a domain needs, and whether what DNS answers matches them: one DKIM TXT per key that
 * signs or is about to, SPF for the relay, the bounce domain's MX when bounces are configured, and
 * a DMARC policy.
 */
@Component
class DnsRecords {

  static final String DKIM = "dkim";
  static final String SPF = "spf";
  static final String RETURN_PATH = "return-path";
  static final String DMARC = "dmarc";

  private final DomainSettings settings;
  private final @Nullable String bounceDomain;

  DnsRecords(
      DomainSettings settings,
      @Value("${mailroom.bounces.domain:#{null}}") @Nullable String bounce) {
    this.settings = settings;
    this.bounceDomain = bounce == null || bounce.isBlank() ? null : bounce.strip();
  }

  /** A record to publish, before any check. */
  record Expected(String purpose, String type, String name, String value, @Nullable String note) {}

  List<Expected> expected(Domain domain) {
    List<Expected> records = new ArrayList<>();
    for (DomainKey key : domain.keys()) {
      if (key.state() != KeyState.RETIRED) {
        records.add(
            new Expected(
                DKIM,
                "TXT",
                key.recordName(domain.name()),
                key.recordValue(),
                key.state() == KeyState.PENDING
                    ? "A rotation's new key: it signs once this record is verified"
                    : null));
      }
    }
    records.add(spf(domain));
    if (bounceDomain != null && settings.inboundHost() != null) {
      records.add(
          new Expected(
              RETURN_PATH,
              "MX",
              bounceDomain,
              "10 " + settings.inboundHost(),
              "Bounces and complaints return to this domain; publish it once for every sender"
                  + " domain"));
    }
    String rua =
        settings.dmarcReports() == null || settings.dmarcReports().isBlank()
            ? ""
            : "; rua=" + settings.dmarcReports().strip();
    records.add(
        new Expected(
            DMARC,
            "TXT",
            "_dmarc." + domain.name(),
            "v=DMARC1; p=none" + rua,
            "A starting policy that only reports; any DMARC record verifies. Move to p=quarantine"
                + " or p=reject once reports show your mail aligned"));
    return records;
  }

  private Expected spf(Domain domain) {
    String mechanism = spfMechanism();
    if (mechanism == null) {
      return new Expected(
          SPF,
          "TXT",
          domain.name(),
          "v=spf1 mx ~all",
          "Add what your relay's provider tells you to (an include: or ip4:) before ~all; any SPF"
              + " record verifies");
    }
    return new Expected(
        SPF,
        "TXT",
        domain.name(),
        "v=spf1 " + mechanism + " ~all",
        "If the domain already has an SPF record, add " + mechanism + " to it: a domain has one");
  }

  private @Nullable String spfMechanism() {
    String include = settings.spfInclude();
    if (include == null || include.isBlank()) {
      return null;
    }
    String value = include.strip();
    String lower = value.toLowerCase(Locale.ROOT);
    return lower.startsWith("include:") || lower.startsWith("ip4:") || lower.startsWith("ip6:")
        ? value
        : "include:" + value;
  }

  /** Looks every record up and says what was found. */
  List<RecordCheck> check(List<Expected> records, DnsLookup dns, Instant at) {
    Map<String, DnsLookup.Answer> answers = new LinkedHashMap<>();
    List<RecordCheck> checks = new ArrayList<>();
    for (Expected record : records) {
      DnsLookup.Answer answer =
          answers.computeIfAbsent(
              record.type() + " " + record.name(),
              k -> record.type().equals("MX") ? dns.mx(record.name()) : dns.txt(record.name()));
      checks.add(check(record, answer, at));
    }
    return checks;
  }

  private RecordCheck check(Expected record, DnsLookup.Answer answer, Instant at) {
    List<String> relevant =
        switch (record.purpose()) {
          case SPF -> starting(answer.values(), "v=spf1");
          case DMARC -> answer.values();
          default -> answer.values();
        };
    if (relevant.isEmpty()) {
      return new RecordCheck(
          record.type(), record.name(), RecordState.MISSING, answer.failure(), at);
    }
    boolean matches =
        switch (record.purpose()) {
          case DKIM -> relevant.stream().anyMatch(v -> sameDkimKey(v, record.value()));
          case SPF -> relevant.stream().anyMatch(v -> spfAllows(v, spfMechanism()));
          case DMARC -> !starting(relevant, "v=DMARC1").isEmpty();
          case RETURN_PATH -> relevant.stream().anyMatch(v -> sameMx(v, record.value()));
          default -> false;
        };
    return matches
        ? new RecordCheck(record.type(), record.name(), RecordState.VERIFIED, null, at)
        : new RecordCheck(
            record.type(), record.name(), RecordState.MISMATCH, String.join(" | ", relevant), at);
  }

  private static List<String> starting(List<String> values, String prefix) {
    return values.stream()
        .filter(v -> v.strip().toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT)))
        .toList();
  }

  /** Same key type and same p=, whatever the spacing and the order of the tags. */
  static boolean sameDkimKey(String published, String expected) {
    Map<String, String> found = tags(published);
    Map<String, String> wanted = tags(expected);
    return wanted.get("p").equals(found.get("p"))
        && wanted.get("k").equalsIgnoreCase(found.getOrDefault("k", "rsa"));
  }

  private static Map<String, String> tags(String record) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String tag : record.split(";")) {
      int eq = tag.indexOf('=');
      if (eq > 0) {
        tags.put(
            tag.substring(0, eq).strip().toLowerCase(Locale.ROOT),
            tag.substring(eq + 1).replaceAll("\\s+", ""));
      }
    }
    return tags;
  }

  private static boolean spfAllows(String published, @Nullable String mechanism) {
    if (mechanism == null) {
      return true;
    }
    for (String term : published.strip().split("\\s+")) {
      String bare = term.startsWith("+") ? term.substring(1) : term;
      if (bare.equalsIgnoreCase(mechanism)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameMx(String published, String expected) {
    String[] found = published.split(" ", 2);
    String[] wanted = expected.split(" ", 2);
    return found.length == 2 && found[1].equalsIgnoreCase(stripDot(wanted[1]));
  }

  private static String stripDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }
}
