package dev.mailroom.template;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.dialect.AbstractDialect;
import org.thymeleaf.dialect.IExecutionAttributeDialect;
import org.thymeleaf.dialect.IPreProcessorDialect;
import org.thymeleaf.engine.AbstractTemplateHandler;
import org.thymeleaf.model.IAttribute;
import org.thymeleaf.model.ICDATASection;
import org.thymeleaf.model.IComment;
import org.thymeleaf.model.IOpenElementTag;
import org.thymeleaf.model.IProcessableElementTag;
import org.thymeleaf.model.IStandaloneElementTag;
import org.thymeleaf.model.ITemplateEnd;
import org.thymeleaf.model.IText;
import org.thymeleaf.preprocessor.IPreProcessor;
import org.thymeleaf.preprocessor.PreProcessor;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.util.EscapedAttributeUtils;

/**
 * Looks at every Thymeleaf attribute and inlined expression of a file before Thymeleaf processes
 * it, including those in branches that a render skips, so that content is refused when it is stored
 * rather than when some variable first leads there:
 *
 * <ul>
 *   <li>no preprocessing ({@code __...__}): its result is parsed as an expression, so a variable in
 *       it would make a caller's data into template code;
 *   <li>every {@code ${...}} and {@code *{...}} is an expression of the template language;
 *   <li>no attribute or inlined expression longer or more deeply nested than the {@link
 *       TemplateLimits}, which Thymeleaf's own expression parser would otherwise meet by recursion.
 * </ul>
 *
 * It runs as a Thymeleaf pre-processor, which sees each event of a file once per render, before the
 * standard processors. What it finds depends only on the file, so a cached file that was seen to
 * its end without a finding is not looked at again: its later renders pass the events straight on.
 */
public final class ExpressionCheck extends AbstractTemplateHandler {

  /** Characters in one Thymeleaf attribute value or inlined expression. */
  static final int MAX_ATTRIBUTE_LENGTH = 10_000;

  // Thymeleaf's own rule (StandardExpressionPreprocessor): a pair of unescaped double underscores.
  private static final Pattern PREPROCESSING =
      Pattern.compile("(?<!\\\\)__.*?(?<!\\\\)__", Pattern.DOTALL);
  private static final Pattern INLINED =
      Pattern.compile("\\[\\[(.*?)]]|\\[\\((.*?)\\)]", Pattern.DOTALL);

  private static final TemplateExpressions EXPRESSIONS = new TemplateExpressions();

  /** The execution attribute holding the files an engine has seen pass, a {@link Passed}. */
  private static final String PASSED = "mailroom-expression-check-passed";

  /** The dialect that installs the check for both modes email templates use. */
  static final class Dialect extends AbstractDialect
      implements IPreProcessorDialect, IExecutionAttributeDialect {

    private final Passed passed = new Passed();

    Dialect() {
      super("mailroom-expression-check");
    }

    @Override
    public Map<String, Object> getExecutionAttributes() {
      return Map.of(PASSED, passed);
    }

    @Override
    public int getDialectPreProcessorPrecedence() {
      return 0;
    }

    @Override
    public Set<IPreProcessor> getPreProcessors() {
      return Set.of(
          new PreProcessor(TemplateMode.HTML, ExpressionCheck.class, 0),
          new PreProcessor(TemplateMode.TEXT, ExpressionCheck.class, 0));
    }
  }

  /**
   * Cached files whose every event passed the check. The key is Thymeleaf's own for the cached
   * file, its name and resolution attributes (which hold its source), so a file of the same name
   * with other content is checked afresh.
   */
  private static final class Passed {

    /** Far more than the files Thymeleaf caches; past it, files are simply checked again. */
    private static final int MAX_REMEMBERED = 10_000;

    private final Set<CachedFile> files = ConcurrentHashMap.newKeySet();

    boolean contains(CachedFile file) {
      return files.contains(file);
    }

    void add(CachedFile file) {
      if (files.size() >= MAX_REMEMBERED) {
        files.clear();
      }
      files.add(file);
    }
  }

  private record CachedFile(String template, Map<String, Object> attributes) {}

  /** The file this render is of when it is cached; null for content checked before storing. */
  private @Nullable CachedFile file;

  private boolean passedBefore;

  public ExpressionCheck() {}

  @Override
  public void setContext(ITemplateContext context) {
    super.setContext(context);
    Map<String, Object> attributes = context.getTemplateResolutionAttributes();
    if (attributes != null
        && !attributes.containsKey(VersionTemplateResolver.UNCACHED)
        && context.getConfiguration().getExecutionAttributes().get(PASSED)
            instanceof Passed passed) {
      file = new CachedFile(context.getTemplateData().getTemplate(), attributes);
      passedBefore = passed.contains(file);
    }
  }

  @Override
  public void handleOpenElement(IOpenElementTag tag) {
    if (!passedBefore) {
      attributes(tag);
    }
    super.handleOpenElement(tag);
  }

  @Override
  public void handleStandaloneElement(IStandaloneElementTag tag) {
    if (!passedBefore) {
      attributes(tag);
    }
    super.handleStandaloneElement(tag);
  }

  @Override
  public void handleText(IText text) {
    if (!passedBefore) {
      inlined(text.getText(), text.getTemplateName(), text.getLine(), text.getCol());
    }
    super.handleText(text);
  }

  // Thymeleaf inlines [[...]] in comments and CDATA sections too.
  @Override
  public void handleComment(IComment comment) {
    if (!passedBefore) {
      inlined(comment.getComment(), comment.getTemplateName(), comment.getLine(), comment.getCol());
    }
    super.handleComment(comment);
  }

  @Override
  public void handleCDATASection(ICDATASection cdata) {
    if (!passedBefore) {
      inlined(cdata.getCDATASection(), cdata.getTemplateName(), cdata.getLine(), cdata.getCol());
    }
    super.handleCDATASection(cdata);
  }

  /**
   * Every event of the file came through here without a finding: a finding throws, and nothing
   * between here and the caller catches it.
   */
  @Override
  public void handleTemplateEnd(ITemplateEnd templateEnd) {
    if (file != null
        && !passedBefore
        && getContext().getConfiguration().getExecutionAttributes().get(PASSED)
            instanceof Passed passed) {
      passed.add(file);
    }
    super.handleTemplateEnd(templateEnd);
  }

  private static void inlined(String content, String template, int line, int col) {
    if (content.indexOf('[') < 0) {
      return;
    }
    Matcher inlined = INLINED.matcher(content);
    int at = 0;
    while (inlined.find()) {
      for (; at < inlined.start(); at++) {
        if (content.charAt(at) == '\n') {
          line++;
          col = 1;
        } else {
          col++;
        }
      }
      String expression = inlined.group(1) != null ? inlined.group(1) : inlined.group(2);
      check(expression, template, line, col);
    }
  }

  private void attributes(IProcessableElementTag tag) {
    for (IAttribute attribute : tag.getAllAttributes()) {
      String name = attribute.getAttributeCompleteName().toLowerCase(Locale.ROOT);
      String value = attribute.getValue();
      if (value != null && (name.startsWith("th:") || name.startsWith("data-th-"))) {
        // As Thymeleaf reads it: "&gt;" in the markup is ">" in the expression.
        value = EscapedAttributeUtils.unescapeAttribute(getContext().getTemplateMode(), value);
        check(value, attribute.getTemplateName(), attribute.getLine(), attribute.getCol());
      }
    }
  }

  private static void check(String value, String template, int line, int col) {
    if (value.length() > MAX_ATTRIBUTE_LENGTH) {
      throw ExpressionException.at(
          "attribute values and inlined expressions are limited to "
              + MAX_ATTRIBUTE_LENGTH
              + " characters",
          template,
          line,
          col);
    }
    if (value.contains("__") && PREPROCESSING.matcher(value).find()) {
      throw ExpressionException.at(
          "preprocessing (__...__) is not available in email templates: it would evaluate text"
              + " built at render time, such as a variable's value, as an expression",
          template,
          line,
          col);
    }
    if (nesting(value) > 2 * TemplateLimits.MAX_NESTING) {
      throw ExpressionException.at(
          "expressions are limited to " + TemplateLimits.MAX_NESTING + " levels of nesting",
          template,
          line,
          col);
    }
    for (int at = next(value, 0); at >= 0; at = next(value, at + 2)) {
      int end = end(value, at + 2);
      if (end < 0) {
        return; // not an expression Thymeleaf would find either
      }
      String source = value.substring(at + 2, end);
      if (source.startsWith("{") && source.endsWith("}")) {
        source = source.substring(1, source.length() - 1); // ${{...}}: with conversion
      }
      try {
        EXPRESSIONS.parse(source);
      } catch (ExpressionException e) {
        throw ExpressionException.at(e.getMessage(), template, line, col);
      }
      at = end - 1;
    }
  }

  private static int next(String value, int from) {
    int dollar = value.indexOf("${", from);
    int star = value.indexOf("*{", from);
    return dollar < 0 ? star : star < 0 ? dollar : Math.min(dollar, star);
  }

  /** Where the expression that starts at {@code from} closes, skipping text literals; or -1. */
  private static int end(String value, int from) {
    int braces = 0;
    char quote = 0;
    for (int i = from; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '{') {
        braces++;
      } else if (c == '}') {
        if (braces == 0) {
          return i;
        }
        braces--;
      }
    }
    return -1;
  }

  private static int nesting(String value) {
    int depth = 0;
    int deepest = 0;
    char quote = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        deepest = Math.max(deepest, ++depth);
      } else if (c == ')' || c == ']' || c == '}') {
        depth = Math.max(0, depth - 1);
      }
    }
    return deepest;
  }
}
