package dev.mailroom.template;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The templates loaded at startup, validated and immutable. Every problem with a template folder is
 * reported here, once, with the folder it came from, so that a broken template stops the service
 * from starting instead of failing requests.
 */
final class TemplateRegistry {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final int VERSION_LENGTH = 12;

  private final Map<String, EmailTemplate> templates;
  private final Map<String, String> sources;

  private TemplateRegistry(Map<String, EmailTemplate> templates, Map<String, String> sources) {
    this.templates = Map.copyOf(templates);
    this.sources = Map.copyOf(sources);
  }

  /**
   * @throws IllegalStateException naming the folder and the problem when a folder is not a valid
   *     template
   */
  static TemplateRegistry of(Collection<TemplateFiles> folders) {
    Map<String, EmailTemplate> templates = new TreeMap<>();
    Map<String, String> sources = new HashMap<>();
    for (TemplateFiles folder : folders) {
      EmailTemplate template = compile(folder);
      if (templates.put(template.name(), template) != null) {
        throw new IllegalStateException("Template '" + template.name() + "' is defined twice");
      }
      for (EmailTemplate.Variant variant : template.variants().values()) {
        sources.put(variant.subjectKey(), variant.subject());
        sources.put(variant.htmlKey(), variant.html());
        if (variant.text() != null) {
          sources.put(variant.textKey(), variant.text());
        }
      }
    }
    return new TemplateRegistry(templates, sources);
  }

  static boolean isValidName(String name) {
    return NAME.matcher(name).matches() && !name.contains("..");
  }

  @Nullable EmailTemplate find(String name) {
    return templates.get(name);
  }

  /** The source of one template file, by its Thymeleaf key {@code name/locale/file}. */
  @Nullable String source(String key) {
    return sources.get(key);
  }

  Set<String> sourceKeys() {
    return sources.keySet();
  }

  private static EmailTemplate compile(TemplateFiles folder) {
    if (!isValidName(folder.name())) {
      throw invalid(
          folder,
          "the folder name is not a valid template name (lowercase letters, digits, '.', '_'"
              + " and '-', starting with a letter or digit, at most 64 characters, no '..')");
    }
    Map<String, Map<String, String>> filesByLocale = new TreeMap<>();
    Map<String, String> folderByLocale = new HashMap<>();
    for (Map.Entry<String, byte[]> file : folder.files().entrySet()) {
      String path = file.getKey();
      int slash = path.indexOf('/');
      String locale =
          slash < 0 ? TemplateLocales.DEFAULT : localeOf(folder, path.substring(0, slash));
      String localeFolder = slash < 0 ? "" : path.substring(0, slash);
      String previous = folderByLocale.putIfAbsent(locale, localeFolder);
      if (previous != null && !previous.equals(localeFolder)) {
        throw invalid(
            folder, "folders '" + previous + "' and '" + localeFolder + "' are the same locale");
      }
      filesByLocale
          .computeIfAbsent(locale, l -> new HashMap<>())
          .put(path.substring(slash + 1), decode(folder, path, file.getValue()));
    }
    if (!filesByLocale.containsKey(TemplateLocales.DEFAULT)) {
      throw invalid(folder, "subject.txt and body.html are required at the top of the folder");
    }
    Map<String, EmailTemplate.Variant> variants = new TreeMap<>();
    filesByLocale.forEach(
        (locale, files) ->
            variants.put(locale, variant(folder, locale, folderByLocale.get(locale), files)));
    return new EmailTemplate(folder.name(), version(folder), variants);
  }

  private static String localeOf(TemplateFiles folder, String localeFolder) {
    try {
      return TemplateLocales.normalise(localeFolder);
    } catch (IllegalArgumentException e) {
      throw invalid(
          folder, "subfolder '" + localeFolder + "' is not a locale such as 'fr' or 'fr-CA'");
    }
  }

  private static EmailTemplate.Variant variant(
      TemplateFiles folder, String locale, String localeFolder, Map<String, String> files) {
    String prefix = localeFolder.isEmpty() ? "" : localeFolder + "/";
    for (String required : new String[] {TemplateFiles.SUBJECT, TemplateFiles.HTML}) {
      if (!files.containsKey(required)) {
        throw invalid(folder, prefix + required + " is missing");
      }
    }
    // The subject is one line; the file's final newline is an editor habit, not content.
    String subject = files.get(TemplateFiles.SUBJECT).stripTrailing();
    return new EmailTemplate.Variant(
        folder.name(),
        locale,
        subject,
        files.get(TemplateFiles.HTML),
        files.get(TemplateFiles.TEXT));
  }

  private static String decode(TemplateFiles folder, String path, byte[] bytes) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      return text.replace("\r\n", "\n");
    } catch (CharacterCodingException e) {
      throw invalid(folder, path + " is not valid UTF-8");
    }
  }

  /**
   * A hash of every file's path and bytes, so the same content gives the same version on every
   * start and on every replica, wherever the folder was loaded from.
   */
  private static String version(TemplateFiles folder) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    for (Map.Entry<String, byte[]> file : folder.files().entrySet()) {
      byte[] path = file.getKey().getBytes(StandardCharsets.UTF_8);
      // Lengths first, so that no two different folders hash the same byte stream.
      sha256.update(
          ByteBuffer.allocate(12).putInt(path.length).putLong(file.getValue().length).array());
      sha256.update(path);
      sha256.update(file.getValue());
    }
    return HexFormat.of().formatHex(sha256.digest()).substring(0, VERSION_LENGTH);
  }

  private static IllegalStateException invalid(TemplateFiles folder, String problem) {
    return new IllegalStateException(
        "Email template '" + folder.name() + "' in " + folder.origin() + " is invalid: " + problem);
  }
}
