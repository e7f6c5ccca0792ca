package dev.mailroom.template;

import java.util.SortedMap;

/**
 * The raw files of one template folder as found on the classpath or on disk, before validation.
 *
 * @param name the folder name
 * @param origin where the folder was found, for error messages and logs
 * @param files content by path relative to the folder, such as {@code subject.txt} or {@code
 *     fr/body.html}
 */
record TemplateFiles(String name, String origin, SortedMap<String, byte[]> files) {

  static final String SUBJECT = "subject.txt";
  static final String HTML = "body.html";
  static final String TEXT = "body.txt";

  static boolean isTemplateFile(String fileName) {
    return fileName.equals(SUBJECT) || fileName.equals(HTML) || fileName.equals(TEXT);
  }
}
