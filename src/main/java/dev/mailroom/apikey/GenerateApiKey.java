package dev.mailroom.apikey;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code java -jar mailroom.jar generate-api-key --name=billing [--project=shop] --scopes=send,read
 * [--allowed-sender-domains=billing.acme.example]}: prints a new random key once, and the
 * configuration that admits it, which holds only its SHA-256. The project defaults to the name.
 * Runs without starting the service.
 */
public final class GenerateApiKey {

  public static final String COMMAND = "generate-api-key";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public static boolean isCommand(String[] args) {
    return args.length > 0 && COMMAND.equals(args[0]);
  }

  /** Returns the process exit code: 0, or 2 for bad arguments. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String name = null;
    String project = null;
    Set<Scope> scopes = new LinkedHashSet<>();
    List<String> domains = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        String arg = args[i];
        if (arg.startsWith("--name=")) {
          name = value(arg);
        } else if (arg.startsWith("--project=")) {
          project = value(arg);
        } else if (arg.startsWith("--scopes=")) {
          for (String scope : value(arg).split(",")) {
            scopes.add(Scope.of(scope));
          }
        } else if (arg.startsWith("--allowed-sender-domains=")) {
          domains.addAll(List.of(value(arg).split(",")));
        } else {
          throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("--name must be 1-64 of A-Z, a-z, 0-9, '_', '.', '-'");
      }
      if (project == null) {
        project = name;
      } else if (!NAME.matcher(project).matches()) {
        throw new IllegalArgumentException(
            "--project must be 1-64 of A-Z, a-z, 0-9, '_', '.', '-'");
      }
      if (scopes.isEmpty()) {
        throw new IllegalArgumentException(
            "--scopes needs at least one of send, read, templates, suppressions, domains, webhooks, admin");
      }
      domains = SenderDomains.normalize(name, domains.stream().map(String::strip).toList());
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println(COMMAND + ": " + e.getMessage());
      err.println(
          "usage: "
              + COMMAND
              + " --name=NAME [--project=PROJECT] --scopes=send,read,templates,webhooks,admin"
              + " [--allowed-sender-domains=a.example,*.b.example]");
      return 2;
    }
    String key = newKey();
    out.println(
        "# API key '"
            + name
            + "' of project '"
            + project
            + "'. Give it to the client now; it is not shown again:");
    out.println(key);
    out.println();
    out.println(
        "# Configuration (for example in a file given to spring.config.additional-location).");
    out.println(
        "# It holds the SHA-256 of the key, never the key; add the entry to any existing list.");
    out.println("mailroom:");
    out.println("  api-keys:");
    out.println("    - name: " + name);
    out.println("      # Keys of one project share its emails, idempotency keys and templates.");
    out.println("      project: " + project);
    out.println("      hash: " + ApiKeys.hash(key));
    out.println(
        "      scopes: [" + String.join(", ", scopes.stream().map(Scope::value).toList()) + "]");
    if (!domains.isEmpty()) {
      out.println("      allowed-sender-domains: [\"" + String.join("\", \"", domains) + "\"]");
    }
    return 0;
  }

  /** {@code mr_} and 32 random bytes, base64url without padding. */
  static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "mr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String value(String arg) {
    return arg.substring(arg.indexOf('=') + 1);
  }

  private GenerateApiKey() {}
}
