package dev.mailroom.apikey;

import dev.mailroom.apikey.ApiKeySettings.Key;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured keys, found by the SHA-256 of the key a caller presents. Every configured hash is
 * compared in constant time, so neither the time taken nor an early exit tells which key came
 * closest.
 */
@Component
public class ApiKeys {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  /** Longer than any key this service generates; anything longer is refused unhashed. */
  static final int MAX_KEY_LENGTH = 256;

  private record Entry(byte[] hash, ApiKey key) {}

  private final List<Entry> entries;

  ApiKeys(ApiKeySettings settings) {
    this.entries = entries(settings);
    if (entries.isEmpty()) {
      log.warn(
          "No API keys are configured (mailroom.api-keys): every API request will be refused with"
              + " 401. Generate one with 'java -jar mailroom.jar generate-api-key --name=NAME"
              + " --scopes=send,read [--project=PROJECT]'.");
    } else {
      log.info(
          "{} API key(s): {}",
          entries.size(),
          entries.stream()
              .map(e -> e.key().name() + " (project " + e.key().project() + ") " + e.key().scopes())
              .toList());
    }
  }

  public Optional<ApiKey> authenticate(String presented) {
    if (presented.isEmpty() || presented.length() > MAX_KEY_LENGTH) {
      return Optional.empty();
    }
    byte[] hash = sha256(presented);
    @Nullable ApiKey found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.hash(), hash)) {
        found = entry.key();
      }
    }
    return Optional.ofNullable(found);
  }

  public List<ApiKey> all() {
    return entries.stream().map(Entry::key).toList();
  }

  /** The hex SHA-256 of a key, as configured in {@code mailroom.api-keys[n].hash}. */
  public static String hash(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Entry> entries(ApiKeySettings settings) {
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (Key key : settings.apiKeys()) {
      String hash = key.hash().toLowerCase(Locale.ROOT);
      if (!names.add(key.name())) {
        throw new IllegalStateException(
            "mailroom.api-keys: the name '" + key.name() + "' is used twice");
      }
      if (!hashes.add(hash)) {
        throw new IllegalStateException(
            "mailroom.api-keys: '" + key.name() + "' has the same hash as another key");
      }
      ApiKey apiKey =
          new ApiKey(
              key.name(),
              key.project() != null ? key.project() : key.name(),
              EnumSet.copyOf(key.scopes()),
              SenderDomains.normalize(key.name(), key.allowedSenderDomains()),
              key.rateLimit() != null ? key.rateLimit() : settings.rateLimit());
      entries.add(new Entry(HexFormat.of().parseHex(hash), apiKey));
    }
    return List.copyOf(entries);
  }
}
