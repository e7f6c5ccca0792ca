package dev.mailroom.email;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An address with an optional display name. In JSON either an object {@code {"email", "name"}} or a
 * string, {@code "jane@example.com"} or {@code "Jane Doe <jane@example.com>"}. Parsing is lenient
 * here; {@link EmailRequestValidator} decides what is acceptable and says where.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmailAddress(@Nullable String email, @Nullable String name) {

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private static final Pattern NAME_AND_ADDRESS =
      Pattern.compile("^(.*?)\\s*<([^<>]*)>\\s*$", Pattern.DOTALL);

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public EmailAddress {}

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static EmailAddress parse(String value) {
    if (CONTROL.matcher(value).find()) {
      // Kept whole so validation sees, and refuses, the control characters.
      return new EmailAddress(value, null);
    }
    Matcher m = NAME_AND_ADDRESS.matcher(value);
    if (!m.matches()) {
      return new EmailAddress(value.strip(), null);
    }
    String name = m.group(1).strip();
    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
      name = name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return new EmailAddress(m.group(2).strip(), name.isEmpty() ? null : name);
  }
}
