package dev.mailroom.template;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.IEngineConfiguration;
import org.thymeleaf.cache.AlwaysValidCacheEntryValidity;
import org.thymeleaf.cache.NonCacheableCacheEntryValidity;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ITemplateResolver;
import org.thymeleaf.templateresolver.TemplateResolution;
import org.thymeleaf.templateresource.StringTemplateResource;

/**
 * Serves the one file a render asks for, whose source travels with the request in the template
 * resolution attributes. Thymeleaf keys its cache of parsed templates by the template name ({@code
 * name/version/locale/file}) and those attributes, so a version is parsed once and its cached form
 * can never be served for different content. Versions never change, so what is cached stays valid.
 *
 * <p>Nothing else resolves: a template cannot include another template's files.
 */
final class VersionTemplateResolver implements ITemplateResolver {

  /** The file's source, a {@link String}. */
  static final String SOURCE = "source";

  /** The file's mode, a {@link TemplateMode}. */
  static final String MODE = "mode";

  /** Present when the parsed file must not be cached: syntax checks of content not yet stored. */
  static final String UNCACHED = "uncached";

  private final AtomicInteger parses = new AtomicInteger();

  @Override
  public String getName() {
    return "mailroom-email-templates";
  }

  @Override
  public Integer getOrder() {
    return 0;
  }

  @Override
  public @Nullable TemplateResolution resolveTemplate(
      IEngineConfiguration configuration,
      @Nullable String ownerTemplate,
      String template,
      @Nullable Map<String, Object> attributes) {
    // A fragment of the same file (th:insert="~{::name}") resolves with the file's own name.
    if (attributes == null
        || !(attributes.get(SOURCE) instanceof String source)
        || !(attributes.get(MODE) instanceof TemplateMode mode)
        || (ownerTemplate != null && !ownerTemplate.equals(template))) {
      return null;
    }
    boolean cached = !attributes.containsKey(UNCACHED);
    if (cached) {
      parses.incrementAndGet();
    }
    return new TemplateResolution(
        new StringTemplateResource(source),
        true,
        mode,
        false,
        cached ? AlwaysValidCacheEntryValidity.INSTANCE : NonCacheableCacheEntryValidity.INSTANCE);
  }

  /** How many times Thymeleaf asked for a cacheable file, which it does only to parse it. */
  int parses() {
    return parses.get();
  }
}
