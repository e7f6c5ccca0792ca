package dev.mailroom.template;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a template folder into template content. Every problem with a folder is reported here,
 * once, with the folder it came from, so that a broken template stops the service from starting
 * instead of failing requests.
 */
final class TemplateFolders {

  private TemplateFolders() {}

  /** A template found in files, ready to import. */
  record FileTemplate(String name, String origin, TemplateContent content) {}

  /**
   * @throws IllegalStateException naming the folder and the problem when a folder is not a valid
   *     template
   */
  static FileTemplate read(TemplateFiles folder) {
    if (!TemplateNames.isValid(folder.name())) {
      throw invalid(
          folder, "the folder name is not a valid template name (" + TemplateNames.RULE + ")");
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
    TemplateContent.Variant base = null;
    Map<String, TemplateContent.Variant> locales = new TreeMap<>();
    for (Map.Entry<String, Map<String, String>> entry : filesByLocale.entrySet()) {
      String locale = entry.getKey();
      TemplateContent.Variant variant =
          variant(folder, folderByLocale.get(locale), entry.getValue());
      if (locale.equals(TemplateLocales.DEFAULT)) {
        base = variant;
      } else {
        locales.put(locale, variant);
      }
    }
    return new FileTemplate(
        folder.name(), folder.origin(), TemplateContent.of(base, locales, List.of()));
  }

  private static String localeOf(TemplateFiles folder, String localeFolder) {
    try {
      return TemplateLocales.normalise(localeFolder);
    } catch (IllegalArgumentException e) {
      throw invalid(
          folder, "subfolder '" + localeFolder + "' is not a locale such as 'fr' or 'fr-CA'");
    }
  }

  private static TemplateContent.Variant variant(
      TemplateFiles folder, String localeFolder, Map<String, String> files) {
    for (TemplatePart required : new TemplatePart[] {TemplatePart.SUBJECT, TemplatePart.HTML}) {
      if (!files.containsKey(required.fileName())) {
        throw invalid(folder, required.path(localeFolder) + " is missing");
      }
    }
    return TemplateContent.Variant.of(
        files.get(TemplatePart.SUBJECT.fileName()),
        files.get(TemplatePart.HTML.fileName()),
        files.get(TemplatePart.TEXT.fileName()));
  }

  private static String decode(TemplateFiles folder, String path, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalid(folder, path + " is not valid UTF-8");
    }
  }

  static IllegalStateException invalid(TemplateFiles folder, String problem) {
    return invalid(folder.name(), folder.origin(), problem);
  }

  static IllegalStateException invalid(String name, String origin, String problem) {
    return new IllegalStateException(
        "Email template '" + name + "' in " + origin + " is invalid: " + problem);
  }
}
