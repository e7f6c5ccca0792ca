package dev.mailroom.email;

import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import dev.mailroom.system.WellFormedText;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Checks a send request completely before anything is rendered or stored, and names every bad
 * field. Header-bound values (addresses, display names, subject) containing CR, LF or other control
 * characters are rejected, never cleaned: a caller sending them has a bug or is attacking. So is
 * text anywhere in the request that is not well-formed Unicode or holds U+0000.
 */
@Component
class EmailRequestValidator {

  static final int MAX_SUBJECT = 998;
  static final int MAX_NAME = 256;
  static final int MAX_REPLY_TO = 10;
  static final int MAX_TAGS = 20;
  static final int MAX_METADATA = 50;
  static final int MAX_METADATA_VALUE = 1024;

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u0085]");
  private static final Pattern LOCAL_PART =
      Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  static final Pattern TAG = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}");

  private final EmailSettings settings;

  EmailRequestValidator(EmailSettings settings) {
    this.settings = settings;
  }

  List<FieldProblem> validate(SendEmailRequest request) {
    List<FieldProblem> problems = new ArrayList<>();
    WellFormedText.check(request, "", problems);
    if (request.from() == null) {
      if (settings.defaultFrom() == null) {
        problems.add(FieldProblem.at("/from", "is required (no default sender is configured)"));
      }
    } else {
      checkAddress("/from", request.from(), problems);
    }
    int recipients = 0;
    recipients += checkAddresses("/to", request.to(), problems);
    recipients += checkAddresses("/cc", request.cc(), problems);
    recipients += checkAddresses("/bcc", request.bcc(), problems);
    if (recipients == 0) {
      problems.add(FieldProblem.at("/to", "at least one recipient is required in to, cc or bcc"));
    } else if (recipients > settings.maxRecipients()) {
      problems.add(
          FieldProblem.at(
              "/to",
              "at most "
                  + settings.maxRecipients()
                  + " recipients are allowed across to, cc and bcc; got "
                  + recipients));
    }
    int replyTo = checkAddresses("/replyTo", request.replyTo(), problems);
    if (replyTo > MAX_REPLY_TO) {
      problems.add(FieldProblem.at("/replyTo", "at most " + MAX_REPLY_TO + " addresses"));
    }
    checkContent(request, problems);
    checkTags(request.tags(), problems);
    checkMetadata(request.metadata(), problems);
    boolean hasHtml = request.template() != null || !isBlank(request.html());
    Attachments.check(request.attachments(), hasHtml, settings, problems);
    CustomHeaders.check(request.headers(), problems);
    return problems;
  }

  private void checkContent(SendEmailRequest request, List<FieldProblem> problems) {
    boolean ready = request.subject() != null || request.html() != null || request.text() != null;
    if (request.template() != null) {
      if (ready) {
        problems.add(
            FieldProblem.at(
                "/template", "give either a template or subject with html/text, not both"));
      }
      if (!TEMPLATE_NAME.matcher(request.template()).matches()) {
        problems.add(
            FieldProblem.at(
                "/template",
                "must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"));
      }
      if (request.locale() != null && !LOCALE.matcher(request.locale()).matches()) {
        problems.add(
            FieldProblem.at("/locale", "must be a language tag such as 'en', 'fr' or 'fr-CA'"));
      }
      return;
    }
    if (request.variables() != null) {
      problems.add(FieldProblem.at("/variables", "is only used with a template"));
    }
    if (request.locale() != null) {
      problems.add(FieldProblem.at("/locale", "is only used with a template"));
    }
    if (request.subject() == null || request.subject().isBlank()) {
      problems.add(FieldProblem.at("/subject", "is required when no template is given"));
    } else {
      checkSubject("/subject", request.subject(), problems);
    }
    if ((request.html() == null || request.html().isBlank())
        && (request.text() == null || request.text().isBlank())) {
      problems.add(FieldProblem.at("/html", "html or text is required when no template is given"));
    }
  }

  private static boolean isBlank(@Nullable String value) {
    return value == null || value.isBlank();
  }

  private static void checkSubject(String pointer, String subject, List<FieldProblem> problems) {
    if (CONTROL.matcher(subject).find()) {
      problems.add(
          FieldProblem.at(
              pointer, "must be a single line without control characters (CR, LF, ...)"));
    }
    if (subject.length() > MAX_SUBJECT) {
      problems.add(FieldProblem.at(pointer, "must be at most " + MAX_SUBJECT + " characters"));
    }
  }

  /**
   * Refuses a subject whose variables put a line break or control character into it: it must stay a
   * valid header whatever the variables hold.
   */
  static void checkRenderedSubject(String subject) {
    List<FieldProblem> problems = new ArrayList<>();
    checkSubject("/variables", subject, problems);
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.UNPROCESSABLE_CONTENT,
          "The rendered subject is not a valid header",
          List.of(
              FieldProblem.at(
                  "/variables",
                  "the subject rendered from these variables " + problems.get(0).detail())));
    }
  }

  private int checkAddresses(
      String pointer,
      @Nullable List<@Nullable EmailAddress> addresses,
      List<FieldProblem> problems) {
    if (addresses == null) {
      return 0;
    }
    for (int i = 0; i < addresses.size(); i++) {
      EmailAddress address = addresses.get(i);
      if (address == null) {
        problems.add(FieldProblem.at(pointer + "/" + i, "must be an address, not null"));
      } else {
        checkAddress(pointer + "/" + i, address, problems);
      }
    }
    return addresses.size();
  }

  private void checkAddress(String pointer, EmailAddress address, List<FieldProblem> problems) {
    String email = address.email();
    if (email == null || email.isBlank()) {
      problems.add(FieldProblem.at(pointer + "/email", "is required"));
    } else {
      String problem = addressProblem(email);
      if (problem != null) {
        problems.add(FieldProblem.at(pointer + "/email", problem));
      }
    }
    String name = address.name();
    if (name != null) {
      if (CONTROL.matcher(name).find()) {
        problems.add(
            FieldProblem.at(
                pointer + "/name", "must not contain control characters (CR, LF, ...)"));
      } else if (name.length() > MAX_NAME) {
        problems.add(
            FieldProblem.at(pointer + "/name", "must be at most " + MAX_NAME + " characters"));
      }
    }
  }

  /** Returns what is wrong with an addr-spec, or null when it is deliverable as plain SMTP. */
  static @Nullable String addressProblem(String email) {
    if (CONTROL.matcher(email).find()) {
      return "must not contain control characters (CR, LF, ...)";
    }
    if (email.length() > 254) {
      return "must be at most 254 characters";
    }
    int at = email.lastIndexOf('@');
    if (at <= 0 || at == email.length() - 1 || email.indexOf('@') != at) {
      return "'" + email + "' is not an email address (expected local@domain)";
    }
    String local = email.substring(0, at);
    String domain = email.substring(at + 1);
    if (!StandardCharsets.US_ASCII.newEncoder().canEncode(local)) {
      return "internationalized local parts (SMTPUTF8) are not supported";
    }
    if (!LOCAL_PART.matcher(local).matches()
        || local.startsWith(".")
        || local.endsWith(".")
        || local.contains("..")) {
      return "'" + email + "' has an invalid local part";
    }
    String ascii;
    try {
      ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
    } catch (IllegalArgumentException e) {
      return "'" + domain + "' is not a valid domain";
    }
    String[] labels = ascii.split("\\.", -1);
    if (labels.length < 2 || ascii.length() > 253) {
      return "'" + domain + "' is not a valid domain (expected a name such as example.com)";
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return "'" + domain + "' is not a valid domain";
      }
    }
    try {
      new InternetAddress(local + "@" + ascii, true).validate();
    } catch (AddressException e) {
      return "'" + email + "' is not a valid address: " + e.getMessage();
    }
    return null;
  }

  private static void checkTags(
      @Nullable List<@Nullable String> tags, List<FieldProblem> problems) {
    if (tags == null) {
      return;
    }
    if (tags.size() > MAX_TAGS) {
      problems.add(FieldProblem.at("/tags", "at most " + MAX_TAGS + " tags"));
    }
    for (int i = 0; i < tags.size(); i++) {
      String tag = tags.get(i);
      if (tag == null || !TAG.matcher(tag).matches()) {
        problems.add(
            FieldProblem.at(
                "/tags/" + i, "must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'"));
      }
    }
  }

  private static void checkMetadata(
      @Nullable Map<String, @Nullable String> metadata, List<FieldProblem> problems) {
    if (metadata == null) {
      return;
    }
    if (metadata.size() > MAX_METADATA) {
      problems.add(FieldProblem.at("/metadata", "at most " + MAX_METADATA + " entries"));
    }
    metadata.forEach(
        (key, value) -> {
          String pointer = "/metadata/" + FieldProblem.segment(key);
          if (!METADATA_KEY.matcher(key).matches()) {
            problems.add(
                FieldProblem.at(
                    pointer, "keys must be 1-64 characters of A-Z, a-z, 0-9, '_', '.' or '-'"));
          }
          if (value == null) {
            problems.add(FieldProblem.at(pointer, "must be a string, not null"));
          } else if (value.length() > MAX_METADATA_VALUE) {
            problems.add(
                FieldProblem.at(pointer, "must be at most " + MAX_METADATA_VALUE + " characters"));
          }
        });
  }
}
