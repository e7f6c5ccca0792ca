package dev.mailroom.template;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.IEngineConfiguration;
import org.thymeleaf.cache.AlwaysValidCacheEntryValidity;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ITemplateResolver;
import org.thymeleaf.templateresolver.TemplateResolution;
import org.thymeleaf.templateresource.StringTemplateResource;

/**
 * Serves template files from the in-memory registry. Resolutions are always cacheable because
 * templates never change after startup, so Thymeleaf parses each file once and keeps the parsed
 * model for the life of the engine.
 */
final class RegistryTemplateResolver implements ITemplateResolver {

  private final TemplateRegistry registry;
  private final AtomicInteger resolutions = new AtomicInteger();

  RegistryTemplateResolver(TemplateRegistry registry) {
    this.registry = registry;
  }

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
      @Nullable Map<String, Object> templateResolutionAttributes) {
    String source = registry.source(template);
    if (source == null) {
      return null;
    }
    resolutions.incrementAndGet();
    return new TemplateResolution(
        new StringTemplateResource(source),
        true,
        template.endsWith(".html") ? TemplateMode.HTML : TemplateMode.TEXT,
        false,
        AlwaysValidCacheEntryValidity.INSTANCE);
  }

  /** How many times Thymeleaf asked for a file, which it does only when it has to parse it. */
  int resolutions() {
    return resolutions.get();
  }
}
