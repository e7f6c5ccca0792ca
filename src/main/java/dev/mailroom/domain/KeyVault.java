package dev.mailroom.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Encrypts DKIM private keys for the database with AES-256-GCM under {@code
 * mailroom.domains.encryption-key}: a fresh random 96-bit nonce per key, and the key's id as
 * associated data, so that a ciphertext copied onto another row does not decrypt.
 */
@Component
class KeyVault {

  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final @Nullable SecretKey key;
  private final SecureRandom random = new SecureRandom();

  KeyVault(DomainSettings settings) {
    this.key =
        settings.encryptionConfigured()
            ? new SecretKeySpec(Base64.getDecoder().decode(settings.encryptionKey().strip()), "AES")
            : null;
  }

  boolean available() {
    return key != null;
  }

  byte[] encrypt(UUID keyId, byte[] plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = cipher(Cipher.ENCRYPT_MODE, keyId, nonce, plain);
    return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
        .put(VERSION)
        .put(nonce)
        .put(sealed)
        .array();
  }

  byte[] decrypt(UUID keyId, byte[] stored) {
    if (stored.length < 1 + NONCE_BYTES || stored[0] != VERSION) {
      throw new IllegalStateException("DKIM key " + keyId + " is not in a known stored format");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    System.arraycopy(stored, 1, nonce, 0, NONCE_BYTES);
    byte[] sealed = new byte[stored.length - 1 - NONCE_BYTES];
    System.arraycopy(stored, 1 + NONCE_BYTES, sealed, 0, sealed.length);
    return cipher(Cipher.DECRYPT_MODE, keyId, nonce, sealed);
  }

  private byte[] cipher(int mode, UUID keyId, byte[] nonce, byte[] input) {
    if (key == null) {
      throw new IllegalStateException(
          "mailroom.domains.encryption-key is not set: DKIM keys can be neither stored nor read");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(keyId.toString().getBytes(StandardCharsets.US_ASCII));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      // A wrong key (or a changed row) fails the tag check: say which, never the bytes.
      throw new IllegalStateException(
          "DKIM key "
              + keyId
              + " could not be decrypted: is mailroom.domains.encryption-key the key it was"
              + " stored with?",
          e);
    }
  }
}
