package dev.mailroom.system;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies are read strictly. A duplicate key is refused: parsers disagree on which value
 * wins, so it is ambiguous at best and a way to smuggle one value past a check at worst. A number
 * or boolean where a string is expected is refused rather than turned into text, so that a caller's
 * type mistake ({@code "subject": 42}) is named instead of sent.
 *
 * <p>Boot 4 has no property for {@link StreamReadFeature}s ({@code spring.jackson.parser.*} is gone
 * with Jackson 3), hence a customizer.
 */
@Configuration(proxyBeanMethods = false)
class StrictJson {

  @Bean
  JsonMapperBuilderCustomizer strictJsonReading() {
    return builder ->
        builder
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(
                LogicalType.Textual,
                config ->
                    config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
  }
}
