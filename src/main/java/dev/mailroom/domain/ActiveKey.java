package dev.mailroom.domain;

import dev.mailroom.message.DkimSigner.Algorithm;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A key that signs, as the signing cache loads it: one row of one query for every project. */
record ActiveKey(
    UUID id,
    String project,
    String domain,
    String selector,
    Algorithm algorithm,
    byte[] encryptedPrivateKey,
    @Nullable Instant verifiedAt) {

  @Override
  public String toString() {
    return "ActiveKey[" + selector + "._domainkey." + domain + " of " + project + "]";
  }
}
