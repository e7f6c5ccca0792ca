package dev.mailroom.delivery;

import dev.mailroom.support.StatementPlans;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The types of {@link EmailClaims#RECORD_ONE}'s parameters, for planning it by hand. */
final class RecordOneParameters {

  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("status", "text"),
          Map.entry("reason", "text"),
          Map.entry("detail", "text"),
          Map.entry("dispatcher", "text"),
          Map.entry("relay", "text"),
          Map.entry("outcome", "text"),
          Map.entry("replyEnhanced", "text"),
          Map.entry("replyText", "text"),
          Map.entry("tlsProtocol", "text"),
          Map.entry("tlsCipher", "text"),
          Map.entry("dueAt", "timestamptz"),
          Map.entry("sentAt", "timestamptz"),
          Map.entry("startedAt", "timestamptz"),
          Map.entry("id", "uuid"),
          Map.entry("token", "bigint"),
          Map.entry("number", "integer"),
          Map.entry("durationMs", "integer"),
          Map.entry("replyCode", "smallint"),
          Map.entry("attempted", "boolean"),
          Map.entry("positions", "smallint[]"),
          Map.entry("outcomes", "text[]"),
          Map.entry("codes", "smallint[]"),
          Map.entry("enhanced", "text[]"),
          Map.entry("texts", "text[]"));

  private RecordOneParameters() {}

  /** The statement's parameter names, in the order {@link StatementPlans} numbers them. */
  static List<String> names() {
    return StatementPlans.parameters(EmailClaims.RECORD_ONE);
  }

  /** Every name's type, in that order; fails for a parameter this table does not know. */
  static List<String> types() {
    return names().stream()
        .map(
            name -> {
              String type = TYPES.get(name);
              if (type == null) {
                throw new IllegalStateException("no type for RECORD_ONE's parameter :" + name);
              }
              return type;
            })
        .toList();
  }

  /** The names this table knows. */
  static Set<String> known() {
    return TYPES.keySet();
  }
}
