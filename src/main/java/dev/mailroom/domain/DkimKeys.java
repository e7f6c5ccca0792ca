package dev.mailroom.domain;

import dev.mailroom.message.DkimSigner.Algorithm;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Makes DKIM key pairs and reads stored private keys back. */
final class DkimKeys {

  static final int RSA_BITS = 2048;

  /** An X.509 Ed25519 public key is a fixed 12-byte prefix and the 32-byte key (RFC 8410). */
  private static final int ED25519_KEY_BYTES = 32;

  private DkimKeys() {}

  /** A new pair: the PKCS #8 private key, and the {@code p=} value of its DNS record. */
  record Generated(byte[] privateKey, String publicKey) {
    @Override
    public String toString() {
      return "Generated[p=" + publicKey + "]";
    }
  }

  static Generated generate(Algorithm algorithm) {
    try {
      KeyPair pair;
      String publicKey;
      if (algorithm == Algorithm.RSA_SHA256) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(RSA_BITS);
        pair = generator.generateKeyPair();
        // RFC 6376 3.6.1: p= of k=rsa is the base64 SubjectPublicKeyInfo.
        publicKey = Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
      } else {
        pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        // RFC 8463 4.2: p= of k=ed25519 is the base64 of the bare 32-byte public key.
        byte[] encoded = pair.getPublic().getEncoded();
        publicKey =
            Base64.getEncoder()
                .encodeToString(
                    Arrays.copyOfRange(
                        encoded, encoded.length - ED25519_KEY_BYTES, encoded.length));
      }
      return new Generated(pair.getPrivate().getEncoded(), publicKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Could not make a " + algorithm.tag() + " key", e);
    }
  }

  static PrivateKey privateKey(Algorithm algorithm, byte[] pkcs8) {
    try {
      String type = algorithm == Algorithm.RSA_SHA256 ? "RSA" : "Ed25519";
      return KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("A stored " + algorithm.tag() + " key is unreadable", e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }
}
