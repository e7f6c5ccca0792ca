package dev.mailroom.inbound;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate (for a host name and 127.0.0.1) and its key written as PEM files, as an
 * operator would mount them for the listener's STARTTLS.
 */
record PemFiles(Path certificate, Path privateKey) {

  static PemFiles selfSigned(Path directory, String hostName) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + hostName);
      Instant now = Instant.now();
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          subject,
                          BigInteger.valueOf(now.toEpochMilli()),
                          Date.from(now.minus(Duration.ofMinutes(5))),
                          Date.from(now.plus(Duration.ofDays(1))),
                          subject,
                          keys.getPublic())
                      .addExtension(
                          Extension.subjectAlternativeName,
                          false,
                          new GeneralNames(
                              new GeneralName[] {
                                new GeneralName(GeneralName.dNSName, hostName),
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                              }))
                      .build(
                          new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      Path cert = directory.resolve("inbound.crt");
      Path key = directory.resolve("inbound.key");
      Files.writeString(
          cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
      // An EC private key encodes as PKCS#8.
      Files.writeString(
          key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
      return new PemFiles(cert, key);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
