package dev.mailroom.apikey;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The API keys and their limits: {@code mailroom.api-keys[n]} and {@code mailroom.rate-limit}.
 *
 * @param apiKeys every key that may call the API
 * @param rateLimit the limit of a key that sets none of its own; unlimited when unset
 */
@ConfigurationProperties("mailroom")
@Validated
public record ApiKeySettings(
    @DefaultValue @Valid List<@NotNull @Valid Key> apiKeys,
    @DefaultValue @Valid RateLimit rateLimit) {

  /** Names of keys and of projects. */
  static final String NAME = "[A-Za-z0-9_.-]{1,64}";

  /**
   * One key.
   *
   * @param name who holds it, e.g. {@code billing}; shown in logs and problems, never secret
   * @param project the project whose emails and templates the key shares with the project's other
   *     keys; defaults to the key's name
   * @param hash the hex SHA-256 of the key, as {@code generate-api-key} prints it
   * @param scopes what it may do
   * @param allowedSenderDomains when not empty, a {@code from} must be in one of these domains
   *     ({@code *.acme.example} allows subdomains)
   * @param rateLimit overrides {@code mailroom.rate-limit} for this key
   */
  public record Key(
      @NotNull @Pattern(regexp = NAME) String name,
      @Nullable @Pattern(regexp = NAME) String project,
      @NotNull @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits (SHA-256)")
          String hash,
      @NotEmpty Set<Scope> scopes,
      @DefaultValue List<String> allowedSenderDomains,
      @Nullable @Valid RateLimit rateLimit) {}

  /**
   * A token bucket: a key may make {@code burst} requests at once, and gets {@code per-second} more
   * each second. Zero or unset {@code per-second} is unlimited.
   *
   * @param perSecond the sustained rate; fractions allowed ({@code 0.5} is one every two seconds)
   * @param burst the bucket's size; defaults to {@code per-second}, at least 1
   */
  public record RateLimit(
      @Nullable @PositiveOrZero Double perSecond, @Nullable @Min(1) Integer burst) {

    boolean unlimited() {
      return perSecond == null || perSecond == 0;
    }

    long capacity() {
      return burst != null
          ? burst
          : Math.max(1, (long) Math.ceil(perSecond == null ? 1 : perSecond));
    }
  }
}
