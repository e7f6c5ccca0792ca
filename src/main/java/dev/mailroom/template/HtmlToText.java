package dev.mailroom.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;
import org.jspecify.annotations.Nullable;

/**
 * Derives the plain-text part of an email from its HTML: blocks on their own lines, a blank line
 * between paragraphs, links as {@code text (url)}, list items as {@code - item}. Used when a
 * template has no {@code body.txt} and for ad-hoc emails that only give HTML.
 */
public final class HtmlToText {

  private static final Set<String> SKIPPED =
      Set.of("head", "script", "style", "title", "template", "noscript", "iframe", "object", "svg");

  /** Blocks that stand apart from their neighbours by a blank line. */
  private static final Set<String> PARAGRAPHS =
      Set.of(
          "p",
          "h1",
          "h2",
          "h3",
          "h4",
          "h5",
          "h6",
          "blockquote",
          "pre",
          "hr",
          "dl",
          "address",
          "figure");

  /** Blocks that start on a line of their own. */
  private static final Set<String> LINES =
      Set.of(
          "div",
          "table",
          "tr",
          "caption",
          "li",
          "dt",
          "dd",
          "section",
          "article",
          "header",
          "footer",
          "nav",
          "main",
          "aside",
          "center",
          "form",
          "fieldset",
          "details",
          "summary",
          "figcaption");

  private HtmlToText() {}

  /**
   * The plain-text body an email carries: its own text when it has one, else the text of its HTML
   * (empty when there is neither). The one place this choice is made, for templates and for ready
   * bodies alike, so a preview shows the text that is sent.
   */
  public static String textBody(@Nullable String text, @Nullable String html) {
    if (text != null) {
      return text;
    }
    return html == null ? "" : convert(html);
  }

  public static String convert(String html) {
    PlainText text = new PlainText();
    NodeTraversor.filter(new Converter(text), Jsoup.parse(html).body());
    return text.finish();
  }

  private static final class Converter implements NodeFilter {

    private final PlainText out;
    private final Deque<int[]> lists = new ArrayDeque<>(); // {ordered ? 1 : 0, items so far}
    private final Deque<Integer> links = new ArrayDeque<>(); // text count at the link's start
    private int preformatted;

    Converter(PlainText out) {
      this.out = out;
    }

    @Override
    public FilterResult head(Node node, int depth) {
      if (node instanceof TextNode text) {
        out.text(text.getWholeText(), preformatted > 0);
        return FilterResult.CONTINUE;
      }
      if (!(node instanceof Element element)) {
        return FilterResult.CONTINUE; // comments, including Outlook's conditional ones
      }
      String tag = element.normalName();
      if (SKIPPED.contains(tag)) {
        return FilterResult.SKIP_ENTIRELY;
      }
      switch (tag) {
        case "br" -> out.lineBreak();
        case "ul", "ol" -> {
          // A nested list belongs to its item: no blank line inside the outer list.
          out.block(lists.isEmpty() ? 2 : 1);
          lists.push(new int[] {tag.equals("ol") ? 1 : 0, 0});
        }
        case "li" -> {
          out.block(1);
          out.prefix(itemPrefix());
        }
        case "td", "th" -> out.cell();
        case "a" -> links.push(out.textCount());
        case "img" -> out.text(element.attr("alt"), false);
        case "pre" -> {
          out.block(2);
          preformatted++;
        }
        default -> block(tag);
      }
      return FilterResult.CONTINUE;
    }

    @Override
    public FilterResult tail(Node node, int depth) {
      if (!(node instanceof Element element)) {
        return FilterResult.CONTINUE;
      }
      String tag = element.normalName();
      switch (tag) {
        case "ul", "ol" -> {
          lists.pop();
          out.block(lists.isEmpty() ? 2 : 1);
        }
        case "li" -> out.block(1);
        case "a" -> linkTarget(element, links.pop());
        case "pre" -> {
          preformatted--;
          out.block(2);
        }
        default -> block(tag);
      }
      return FilterResult.CONTINUE;
    }

    private void block(String tag) {
      if (PARAGRAPHS.contains(tag)) {
        out.block(2);
      } else if (LINES.contains(tag)) {
        out.block(1);
      }
    }

    private String itemPrefix() {
      int[] list = lists.peek();
      if (list == null || list[0] == 0) {
        return "- ";
      }
      return ++list[1] + ". ";
    }

    /** Shows where a link goes unless its text already says so. */
    private void linkTarget(Element link, int textCountAtStart) {
      String href = link.attr("href").strip();
      String lower = href.toLowerCase(Locale.ROOT);
      if (href.isEmpty() || href.startsWith("#") || lower.startsWith("javascript:")) {
        return;
      }
      String target = lower.startsWith("mailto:") ? href.substring("mailto:".length()) : href;
      if (out.textCount() == textCountAtStart) {
        out.text(target, false); // nothing to click on but the link itself, such as an image
      } else if (!sameTarget(link.text(), target)) {
        out.text(" (" + target + ")", false);
      }
    }

    private static boolean sameTarget(String text, String target) {
      return withoutTrailingSlash(text.strip()).equalsIgnoreCase(withoutTrailingSlash(target));
    }

    private static String withoutTrailingSlash(String s) {
      return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
  }

  /**
   * Accumulates text with breaks requested lazily, so that nested blocks ask for a break without
   * stacking them, and a list prefix or cell separator lands just before the next text.
   */
  private static final class PlainText {

    // Invisible characters used as padding in email preheaders, and soft hyphens.
    private static final Pattern INVISIBLE =
        Pattern.compile("[\\u200B-\\u200D\\u2060\\uFEFF\\u034F\\u00AD]");
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\u00A0]+");
    private static final Pattern SPACES = Pattern.compile("[ \\t\\u00A0]+");

    private final StringBuilder out = new StringBuilder();
    private int pendingBreaks;
    private boolean pendingSpace;
    private String pendingPrefix = "";
    private String pendingSeparator = "";
    private int textCount;

    void block(int breaks) {
      pendingBreaks = Math.max(pendingBreaks, breaks);
    }

    void lineBreak() {
      pendingBreaks++;
    }

    void prefix(String prefix) {
      pendingPrefix = prefix;
    }

    /** A table cell: on the same row as earlier cells, set apart from them. */
    void cell() {
      if (out.length() > 0 && pendingBreaks == 0) {
        pendingSeparator = " | ";
      }
    }

    int textCount() {
      return textCount;
    }

    void text(String raw, boolean preformatted) {
      String text = INVISIBLE.matcher(raw).replaceAll("");
      if (!preformatted) {
        text = WHITESPACE.matcher(text).replaceAll(" ");
      }
      if (text.isBlank()) {
        pendingSpace |= !text.isEmpty();
        return;
      }
      boolean leadingSpace = Character.isWhitespace(text.charAt(0));
      boolean trailingSpace = Character.isWhitespace(text.charAt(text.length() - 1));
      startText(leadingSpace);
      out.append(preformatted ? text : text.strip());
      pendingSpace = trailingSpace && !preformatted;
      textCount++;
    }

    private void startText(boolean leadingSpace) {
      boolean lineStart = out.length() == 0 || out.charAt(out.length() - 1) == '\n';
      if (out.length() > 0 && pendingBreaks > 0) {
        out.append("\n".repeat(pendingBreaks));
        lineStart = true;
      } else if (!pendingSeparator.isEmpty() && !lineStart) {
        out.append(pendingSeparator);
      } else if ((pendingSpace || leadingSpace) && !lineStart) {
        out.append(' ');
      }
      if (lineStart) {
        out.append(pendingPrefix);
        pendingPrefix = "";
      }
      pendingBreaks = 0;
      pendingSpace = false;
      pendingSeparator = "";
    }

    /** Trims every line, keeps at most one blank line in a row and trims the result. */
    String finish() {
      StringBuilder result = new StringBuilder();
      boolean blankLine = false;
      for (String line : out.toString().split("\n", -1)) {
        String trimmed = SPACES.matcher(line).replaceAll(" ").strip();
        if (trimmed.isEmpty()) {
          blankLine = result.length() > 0;
          continue;
        }
        if (result.length() > 0) {
          result.append(blankLine ? "\n\n" : "\n");
        }
        result.append(trimmed);
        blankLine = false;
      }
      return result.toString();
    }
  }
}
