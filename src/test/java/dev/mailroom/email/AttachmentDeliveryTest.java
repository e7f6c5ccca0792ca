package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import jakarta.mail.BodyPart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Attachments and custom headers from the caller's JSON to the bytes a real SMTP server receives:
 * the MIME structure, every part decoded back to the bytes that were sent, file names and header
 * values encoded as the RFCs say.
 */
class AttachmentDeliveryTest extends ScriptedRelayTest {

  @Test
  void pdfAndInlineLogoArriveIntactAsMixedRelatedAlternative() throws Exception {
    byte[] pdf = minimalPdf();
    byte[] png = logoPng();

    String id =
        accept(
            """
            {"to": ["buyer@example.com"], "bcc": ["audit@example.com"],
             "subject": "Invoice 1001",
             "html": "<p>Your invoice is attached.</p><img src=\\"cid:logo@acme.test\\" alt=\\"Acme\\">",
             "attachments": [
               {"filename": "invoice-1001.pdf", "contentType": "application/pdf", "content": "%s"},
               {"filename": "logo.png", "contentType": "image/png", "content": "%s",
                "contentId": "logo@acme.test"}]}
            """
                .formatted(base64(pdf), base64(png)));
    MimeMessage message = delivered(id).parse();

    assertThat(message.getContentType()).startsWith("multipart/mixed");
    MimeMultipart mixed = (MimeMultipart) message.getContent();
    assertThat(mixed.getCount()).isEqualTo(2);

    ContentType relatedType = new ContentType(mixed.getBodyPart(0).getContentType());
    assertThat(relatedType.getBaseType()).isEqualTo("multipart/related");
    assertThat(relatedType.getParameter("type")).isEqualTo("multipart/alternative");
    MimeMultipart related = (MimeMultipart) mixed.getBodyPart(0).getContent();
    assertThat(related.getCount()).isEqualTo(2);

    MimeMultipart alternative = (MimeMultipart) related.getBodyPart(0).getContent();
    assertThat(alternative.getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat(alternative.getBodyPart(1).getContentType()).startsWith("text/html");
    String html = (String) alternative.getBodyPart(1).getContent();

    MimeBodyPart logo = (MimeBodyPart) related.getBodyPart(1);
    assertThat(logo.getContentType()).startsWith("image/png");
    assertThat(logo.getDisposition()).isEqualTo(Part.INLINE);
    assertThat(logo.getEncoding()).isEqualTo("base64");
    assertThat(logo.getFileName()).isEqualTo("logo.png");
    assertThat(logo.getContentID()).isEqualTo("<logo@acme.test>");
    assertThat(html).contains("cid:" + logo.getContentID().replaceAll("^<|>$", ""));
    assertThat(bytes(logo)).isEqualTo(png);

    MimeBodyPart invoice = (MimeBodyPart) mixed.getBodyPart(1);
    assertThat(invoice.getContentType()).startsWith("application/pdf");
    assertThat(invoice.getDisposition()).isEqualTo(Part.ATTACHMENT);
    assertThat(invoice.getEncoding()).isEqualTo("base64");
    assertThat(invoice.getFileName()).isEqualTo("invoice-1001.pdf");
    assertThat(bytes(invoice)).isEqualTo(pdf);

    assertThat(relay.received().get(0).text())
        .doesNotContainIgnoringCase("bcc:")
        .doesNotContain("audit@example.com");
  }

  @Test
  void inlineImagesAloneMakeTheMessageRelatedWithoutMixed() throws Exception {
    byte[] png = logoPng();

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Logo", "html": "<img src=\\"cid:logo\\">",
             "attachments": [{"filename": "logo.png", "contentType": "image/png",
                              "content": "%s", "contentId": "logo"}]}
            """
                .formatted(base64(png)));
    MimeMessage message = delivered(id).parse();

    assertThat(message.getContentType()).startsWith("multipart/related");
    MimeMultipart related = (MimeMultipart) message.getContent();
    assertThat(related.getBodyPart(0).getContentType()).startsWith("multipart/alternative");
    assertThat(related.getBodyPart(1).getHeader("Content-ID")).containsExactly("<logo>");
    assertThat(bytes(related.getBodyPart(1))).isEqualTo(png);
  }

  @Test
  void nonAsciiFileNameIsEncodedPerRfc2231InUtf8() throws Exception {
    byte[] csv = "name;amount\nZoé;12\n".getBytes(StandardCharsets.UTF_8);

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Report", "text": "Attached.",
             "attachments": [{"filename": "Übersicht März.csv",
                              "contentType": "text/csv; charset=utf-8", "content": "%s"}]}
            """
                .formatted(base64(csv)));
    Received received = delivered(id);

    assertThat(received.text())
        .contains("filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.csv")
        .contains("name*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.csv");
    MimeMessage message = received.parse();
    assertThat(message.getContentType()).startsWith("multipart/mixed");
    MimeMultipart mixed = (MimeMultipart) message.getContent();
    assertThat(mixed.getBodyPart(0).getContentType()).startsWith("text/plain");
    assertThat((String) mixed.getBodyPart(0).getContent()).isEqualTo("Attached.");
    BodyPart report = mixed.getBodyPart(1);
    assertThat(report.getFileName()).isEqualTo("Übersicht März.csv");
    assertThat(new ContentType(report.getContentType()).getBaseType()).isEqualTo("text/csv");
    assertThat(((MimeBodyPart) report).getEncoding()).isEqualTo("base64");
    // Bare LF line ends: bytes a text transfer encoding would have turned into CRLF.
    assertThat(bytes(report)).isEqualTo(csv);
  }

  @Test
  void longNonLatinFileNameIsSplitIntoContinuationsAndDecodesBack() throws Exception {
    String filename = "請求書".repeat(80) + ".pdf"; // 244 characters, 2164 once encoded

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Invoice", "text": "Attached.",
             "attachments": [{"filename": "%s", "contentType": "application/pdf", "content": "%s"}]}
            """
                .formatted(filename, base64(minimalPdf())));
    Received received = delivered(id);

    assertThat(received.text()).contains("filename*0*=UTF-8''%E8%AB%8B").contains("filename*1*=");
    assertThat(received.text().split("\r\n"))
        .allSatisfy(line -> assertThat(line).hasSizeLessThan(79));
    MimeMultipart mixed = (MimeMultipart) received.parse().getContent();
    assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo(filename);
  }

  @Test
  void attachmentWithoutContentTypeIsOctetStream() throws Exception {
    byte[] data = {0, 1, 2, (byte) 0xFF, '\r', '\n', '.', '\r', '\n'};

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Data", "text": "See the file.",
             "attachments": [{"filename": "data.bin", "content": "%s"}]}
            """
                .formatted(base64(data)));
    MimeMultipart mixed = (MimeMultipart) delivered(id).parse().getContent();

    assertThat(mixed.getBodyPart(1).getContentType()).startsWith("application/octet-stream");
    assertThat(bytes(mixed.getBodyPart(1))).isEqualTo(data);
  }

  @Test
  void customHeadersArriveAndNonAsciiValuesAreEncodedWords() throws Exception {
    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Hi", "text": "Hello",
             "headers": {"List-Unsubscribe": "<https://acme.test/unsubscribe/42>",
                         "X-Note": "Café crème"}}
            """);
    Received received = delivered(id);

    assertThat(received.text())
        .contains("\r\nList-Unsubscribe: <https://acme.test/unsubscribe/42>\r\n")
        .contains("\r\nX-Note: =?UTF-8?");
    MimeMessage message = received.parse();
    assertThat(message.getHeader("List-Unsubscribe"))
        .containsExactly("<https://acme.test/unsubscribe/42>");
    assertThat(MimeUtility.decodeText(MimeUtility.unfold(message.getHeader("X-Note")[0])))
        .isEqualTo("Café crème");
  }

  @Test
  void retriedMessageWithAttachmentsSendsTheSameBytes() {
    relay.failDataWith("451 4.3.0 Try again later");

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Invoice", "html": "<p>Attached</p>",
             "headers": {"X-Invoice": "1001"},
             "attachments": [{"filename": "invoice.pdf", "contentType": "application/pdf",
                              "content": "%s"}]}
            """
                .formatted(base64(minimalPdf())));
    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    assertThat(sent.path("attempts").size()).isEqualTo(2);
    List<String> sentTwice =
        relay.dataSeen().stream().map(AttachmentDeliveryTest::withoutTraceHeader).toList();
    assertThat(sentTwice).hasSize(2);
    assertThat(sentTwice.get(0)).contains("invoice.pdf").isEqualTo(sentTwice.get(1));
  }

  @Test
  void attachmentsUpToTheConfiguredTotalAreAcceptedAndDelivered() throws Exception {
    byte[] first = randomBytes(6 * 1024 * 1024, 1);
    byte[] second = randomBytes(4 * 1024 * 1024, 2);

    String id =
        accept(
            """
            {"to": ["a@example.com"], "subject": "Big", "text": "Two files, 10 MiB together.",
             "attachments": [{"filename": "one.bin", "content": "%s"},
                             {"filename": "two.bin", "content": "%s"}]}
            """
                .formatted(base64(first), base64(second)));
    MimeMultipart mixed = (MimeMultipart) delivered(id).parse().getContent();

    assertThat(bytes(mixed.getBodyPart(1))).isEqualTo(first);
    assertThat(bytes(mixed.getBodyPart(2))).isEqualTo(second);
  }

  private String accept(String json) {
    Api.Response response = api.post("/emails", json);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private Received delivered(String id) {
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(20));
    List<Received> received = relay.awaitReceived(1, Duration.ofSeconds(5));
    assertThat(received).hasSize(1);
    return received.get(0);
  }

  /** The relay's own Received line carries its clock, which may tick between attempts. */
  private static String withoutTraceHeader(String data) {
    return data.replaceFirst("(?s)^Received:.*?\\r\\n(?![ \\t])", "");
  }

  private static byte[] bytes(Part part) throws Exception {
    try (var in = part.getInputStream()) {
      return in.readAllBytes();
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A 16x16 PNG, made by the JDK's own encoder. */
  static byte[] logoPng() throws IOException {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 16; y++) {
        image.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFCC3300 : 0x00000000);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /**
   * A valid one-page PDF with a correct cross-reference table; its second line holds bytes above
   * 127, as PDF writers put there to mark the file binary.
   */
  static byte[] minimalPdf() {
    List<String> objects =
        List.of(
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
                + " /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length 42 >>\nstream\nBT /F1 18 Tf 20 40 Td (Invoice 1001) Tj ET\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    ByteArrayOutputStream pdf = new ByteArrayOutputStream();
    write(pdf, "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      offsets.add(pdf.size());
      write(pdf, (i + 1) + " 0 obj\n" + objects.get(i) + "\nendobj\n");
    }
    int xref = pdf.size();
    StringBuilder table = new StringBuilder("xref\n0 " + (objects.size() + 1) + "\n");
    table.append("0000000000 65535 f \n");
    offsets.forEach(offset -> table.append("%010d 00000 n \n".formatted(offset)));
    write(pdf, table.toString());
    write(
        pdf,
        "trailer\n<< /Size "
            + (objects.size() + 1)
            + " /Root 1 0 R >>\nstartxref\n"
            + xref
            + "\n%%EOF\n");
    return pdf.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
