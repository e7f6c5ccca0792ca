package dev.mailroom.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
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
    if (withoutMarkup(html)) {
      // What the parser would make of it: one text node in the body, and nothing to decode.
      text.text(html, false);
    } else {
      NodeTraversor.filter(new Converter(text), Jsoup.parse(html).body());
    }
    return text.finish();
  }

  /** No tags, comments or character references, and no NUL, which the parser drops from text. */
  private static boolean withoutMarkup(String html) {
    for (int i = 0; i < html.length(); i++) {
      char c = html.charAt(i);
      if (c == '<' || c == '&' || c == '\0') {
        return false;
      }
    }
    return true;
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
      String text = normalised(raw, preformatted);
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

    /**
     * The text without invisible characters and, unless preformatted, with every run of whitespace
     * (ASCII whitespace and no-break spaces) as one space. One pass, and no copy when nothing
     * changes: most text nodes of an email are indentation or plain words.
     */
    private static String normalised(String raw, boolean preformatted) {
      int length = raw.length();
      int i = 0;
      for (; i < length; i++) {
        char c = raw.charAt(i);
        if (invisible(c)) {
          break;
        }
        if (!preformatted
            && spaceRun(c)
            && (c != ' ' || (i + 1 < length && spaceRun(raw.charAt(i + 1))))) {
          break;
        }
      }
      if (i == length) {
        return raw;
      }
      StringBuilder text = new StringBuilder(length).append(raw, 0, i);
      boolean inRun = false;
      for (; i < length; i++) {
        char c = raw.charAt(i);
        if (invisible(c)) {
          continue;
        }
        if (!preformatted && spaceRun(c)) {
          inRun = true;
          continue;
        }
        if (inRun) {
          text.append(' ');
          inRun = false;
        }
        text.append(c);
      }
      if (inRun) {
        text.append(' ');
      }
      return text.toString();
    }

    /** Invisible characters used as padding in email preheaders, and soft hyphens. */
    private static boolean invisible(char c) {
      return (c >= '\u200B' && c <= '\u200D')
          || c == '\u2060'
          || c == '\uFEFF'
          || c == '\u034F'
          || c == '\u00AD';
    }

    /** What collapses, in a run, to one space: ASCII whitespace and the no-break space. */
    private static boolean spaceRun(char c) {
      return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00A0';
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
      StringBuilder result = new StringBuilder(out.length());
      StringBuilder line = new StringBuilder();
      boolean blankLine = false;
      int length = out.length();
      for (int start = 0; start <= length; ) {
        int end = out.indexOf("\n", start);
        if (end < 0) {
          end = length;
        }
        trimmedLine(start, end, line);
        start = end + 1;
        if (line.isEmpty()) {
          blankLine = result.length() > 0;
          continue;
        }
        if (result.length() > 0) {
          result.append(blankLine ? "\n\n" : "\n");
        }
        result.append(line);
        blankLine = false;
      }
      return result.toString();
    }

    /**
     * One line of the text with every run of spaces, tabs and no-break spaces as one space, then
     * stripped of whitespace at both ends as {@link String#strip()} does.
     */
    private void trimmedLine(int start, int end, StringBuilder line) {
      line.setLength(0);
      boolean inRun = false;
      for (int i = start; i < end; i++) {
        char c = out.charAt(i);
        if (c == ' ' || c == '\t' || c == '\u00A0') {
          inRun = true;
          continue;
        }
        if (inRun) {
          line.append(' ');
          inRun = false;
        }
        line.append(c);
      }
      if (inRun) {
        line.append(' ');
      }
      int from = 0;
      int to = line.length();
      while (from < to && Character.isWhitespace(line.codePointAt(from))) {
        from += Character.charCount(line.codePointAt(from));
      }
      while (to > from && Character.isWhitespace(line.codePointBefore(to))) {
        to -= Character.charCount(line.codePointBefore(to));
      }
      line.setLength(to);
      line.delete(0, from);
    }
  }
}
