package dev.mailroom.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes template folders into a test directory, as an operator would. */
final class TemplateDirectory {

  private final Path root;

  private TemplateDirectory(Path root) {
    this.root = root;
  }

  static TemplateDirectory in(Path root) {
    return new TemplateDirectory(root);
  }

  Path root() {
    return root;
  }

  TemplateDirectory template(String name, String subject, String html) {
    return file(name + "/subject.txt", subject + "\n").file(name + "/body.html", html);
  }

  TemplateDirectory file(String relativePath, String content) {
    return bytes(relativePath, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  TemplateDirectory bytes(String relativePath, byte[] content) {
    Path file = root.resolve(relativePath);
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  TemplateRenderer renderer() {
    return FileTemplates.renderer(root);
  }
}
