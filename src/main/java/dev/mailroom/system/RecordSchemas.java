package dev.mailroom.system;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Tells the OpenAPI schemas of records two things the schema generator does not read from them, so
 * that the document describes what the JSON reader and writer really do:
 *
 * <ul>
 *   <li>a component marked JSpecify {@code @Nullable} may be {@code null}: its schema allows {@code
 *       null} ({@code type: [x, "null"]}, or {@code anyOf} with {@code null} for a reference);
 *   <li>a list read with {@code ACCEPT_SINGLE_VALUE_AS_ARRAY} also takes one item alone: its schema
 *       is {@code oneOf} the item and the array.
 * </ul>
 */
@Component
@SuppressWarnings({"rawtypes", "unchecked"})
class RecordSchemas implements ModelConverter {

  private static final String NULL = "null";

  @Override
  public @Nullable Schema resolve(
      AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
    if (!chain.hasNext()) {
      return null;
    }
    Schema schema = chain.next().resolve(type, context, chain);
    Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
    if (schema == null || !raw.isRecord()) {
      return schema;
    }
    Schema model =
        schema.get$ref() == null
            ? schema
            : context
                .getDefinedModels()
                .get(schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1));
    if (model == null || model.getProperties() == null) {
      return schema;
    }
    for (RecordComponent component : raw.getRecordComponents()) {
      Schema property = (Schema) model.getProperties().get(component.getName());
      if (property == null) {
        continue;
      }
      if (acceptsSingleValue(component) && property.getItems() != null) {
        property = itemOrList(property, context);
      }
      if (component.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
        property = nullable(property);
      }
      model.getProperties().put(component.getName(), property);
    }
    return schema;
  }

  private static boolean acceptsSingleValue(RecordComponent component) {
    // On the accessor: JsonFormat does not target record components, so it is not kept there.
    JsonFormat format = component.getAccessor().getAnnotation(JsonFormat.class);
    return format != null
        && Arrays.asList(format.with()).contains(JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
  }

  /**
   * A list of a named schema is named too ({@code EmailAddressList}): client generators handle a
   * {@code oneOf} of two named types better than one with an inline array.
   */
  private static Schema itemOrList(Schema list, ModelConverterContext context) {
    Schema either = new Schema<>().description(list.getDescription());
    list.setDescription(null);
    Schema item = list.getItems();
    if (item.get$ref() != null) {
      String name = item.get$ref().substring(item.get$ref().lastIndexOf('/') + 1) + "List";
      context.defineModel(name, list);
      list = new Schema<>().$ref("#/components/schemas/" + name);
    }
    return either.oneOf(new ArrayList<>(List.of(item, list)));
  }

  private static Schema nullable(Schema property) {
    Schema none = new Schema<>().types(new LinkedHashSet<>(Set.of(NULL)));
    if (property.get$ref() != null) {
      Schema either = new Schema<>().description(property.getDescription());
      return either.anyOf(new ArrayList<>(List.of(new Schema<>().$ref(property.get$ref()), none)));
    }
    if (property.getOneOf() != null) {
      property.getOneOf().add(none);
      return property;
    }
    Set<String> types = new LinkedHashSet<>();
    if (property.getTypes() != null) {
      types.addAll(property.getTypes());
    } else if (property.getType() != null) {
      types.add(property.getType());
    }
    if (types.isEmpty()) {
      // No type: any JSON value, null included.
      return property;
    }
    types.add(NULL);
    property.setTypes(types);
    if (property.getEnum() != null && !property.getEnum().contains(null)) {
      List values = new ArrayList<>(property.getEnum());
      values.add(null);
      property.setEnum(values);
    }
    return property;
  }
}
