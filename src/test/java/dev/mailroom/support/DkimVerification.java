package dev.mailroom.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.james.jdkim.DKIMCommon;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.api.Result;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.impl.Message;

/**
 * The independent DKIM verifier of the tests: Apache James jDKIM, with the public keys given as the
 * DNS TXT records a user would publish. jDKIM verifies rsa-sha256 only; ed25519-sha256 signatures
 * are checked with jDKIM's header canonicalization and body hasher and the JDK's Ed25519, hashing
 * the canonical header data with SHA-256 first as RFC 8463 says.
 */
public final class DkimVerification {

  private DkimVerification() {}

  /**
   * The rsa-sha256 results, one per signature; TXT records by {@code selector._domainkey.domain}.
   */
  public static List<Result> verifyRsa(byte[] message, Function<String, List<String>> dns) {
    PublicKeyRecordRetriever retriever =
        (method, selector, domain) -> {
          List<String> records = dns.apply(selector + "._domainkey." + domain);
          if (records.isEmpty()) {
            throw new PermFailException("no key for " + selector + "._domainkey." + domain);
          }
          return records;
        };
    DKIMVerifier verifier = new DKIMVerifier(retriever);
    try {
      verifier.verify(new ByteArrayInputStream(message));
    } catch (FailException e) {
      // Every signature failed: the results say how.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return verifier.getResults().stream()
        .filter(
            r -> r.getRecord() == null || !"ed25519".contentEquals(r.getRecord().getHashKeyType()))
        .toList();
  }

  public static List<Result> verifyRsa(byte[] message, Map<String, String> dns) {
    return verifyRsa(message, name -> dns.containsKey(name) ? List.of(dns.get(name)) : List.of());
  }

  /** Whether every ed25519-sha256 signature of the message verifies; false when there is none. */
  public static boolean ed25519Verifies(byte[] message, Map<String, String> dns) {
    try {
      Message parsed = new Message(new ByteArrayInputStream(message));
      Ed25519Check check = new Ed25519Check();
      int verified = 0;
      for (String field : parsed.getFields("DKIM-Signature")) {
        SignatureRecord record = check.newSignatureRecord(field.substring(field.indexOf(':') + 1));
        if (!"ed25519".contentEquals(record.getHashKeyType())) {
          continue;
        }
        String txt = dns.get(record.getSelector() + "._domainkey." + record.getDToken());
        if (txt == null || !check.verify(parsed, record, message, publicKey(txt))) {
          return false;
        }
        verified++;
      }
      return verified > 0;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static PublicKey publicKey(String txt) throws GeneralSecurityException {
    String p = txt.replaceAll("\\s", "").replaceAll(".*p=([^;]*).*", "$1");
    byte[] raw = Base64.getDecoder().decode(p);
    byte[] x509 =
        ByteBuffer.allocate(12 + raw.length)
            .put(HexFormat.of().parseHex("302a300506032b6570032100"))
            .put(raw)
            .array();
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
  }

  /** jDKIM's canonicalization, reached through the subclass that may call it. */
  private static final class Ed25519Check extends DKIMVerifier {
    boolean verify(Message parsed, SignatureRecord record, byte[] raw, PublicKey key)
        throws Exception {
      BodyHasher hasher = newBodyHasher(record);
      try (InputStream body = parsed.getBodyInputStream()) {
        body.transferTo(hasher.getOutputStream());
      }
      hasher.getOutputStream().close();
      if (!MessageDigest.isEqual(
          ((org.apache.james.jdkim.impl.BodyHasherImpl) hasher).getDigest(),
          record.getBodyHash())) {
        return false;
      }
      Sha256ThenEd25519 signature = new Sha256ThenEd25519();
      signature.initVerify(key);
      Headers.check(parsed, record, signature);
      return signature.verify(record.getSignature());
    }
  }

  private static final class Headers extends DKIMCommon {
    static void check(Message parsed, SignatureRecord record, Signature signature)
        throws SignatureException, PermFailException {
      signatureCheck(parsed, record, record.getHeaders(), signature);
    }
  }

  /** ed25519-sha256 (RFC 8463): Ed25519 over the SHA-256 of the data. */
  private static final class Sha256ThenEd25519 extends Signature {
    private final MessageDigest sha256;
    private PublicKey key;

    Sha256ThenEd25519() throws GeneralSecurityException {
      super("ed25519-sha256");
      sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) {
      key = publicKey;
      sha256.reset();
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      throw new InvalidKeyException("verification only");
    }

    @Override
    protected void engineUpdate(byte b) {
      sha256.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      sha256.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      throw new SignatureException("verification only");
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
      try {
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initVerify(key);
        ed25519.update(sha256.digest());
        return ed25519.verify(signature);
      } catch (GeneralSecurityException e) {
        throw new SignatureException(e);
      }
    }

    @Override
    @SuppressWarnings("deprecation")
    protected void engineSetParameter(String param, Object value) {
      throw new InvalidParameterException();
    }

    @Override
    @SuppressWarnings("deprecation")
    protected Object engineGetParameter(String param) {
      throw new InvalidParameterException();
    }
  }

  /** The signatures' tags, for tests that look at h= or t=. */
  public static List<String> signatureFields(byte[] message) {
    try {
      return new ArrayList<>(
          new Message(new ByteArrayInputStream(message)).getFields("DKIM-Signature"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
