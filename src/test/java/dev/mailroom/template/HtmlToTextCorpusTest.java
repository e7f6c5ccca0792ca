package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The text derived from HTML stays what it was: every case in the corpus files carries the text the
 * converter gave for it when the corpus was made, so a faster converter is proven to give the same
 * text. The corpus is hand-written cases, the shipped templates (as sources and rendered), and
 * randomly generated markup (malformed, nested, with entities, odd whitespace, invisible and
 * non-ASCII characters); very long inputs are built here and checked by the hash of their text.
 */
class HtmlToTextCorpusTest {

  private static final String CORPUS = "html-to-text-corpus.jsonl";
  private static final String LONG = "html-to-text-long.jsonl";

  /** {name, html}: the cases written by hand, each a shape the converter must keep. */
  static final String[][] HANDWRITTEN = {
    {"empty", ""},
    {"only spaces", "   \n\t  "},
    {"plain text", "Hello world"},
    {"plain text with whitespace runs", "  Hello \n\n\t  world  \r\n again "},
    {"plain text with entities", "Fish &amp; chips &lt;3 &eacute;t&eacute; &#8364;5 &nbsp;x"},
    {"plain text with a bare ampersand", "A & B && C &; &#; &#x; &unknown; &amp"},
    {"plain text with carriage returns", "one\rtwo\r\nthree\n\rfour"},
    {"plain text with a NUL", "a\u0000b"},
    {"plain text non-ASCII", "Zoé — 日本語 😀 עברית"},
    {"plain text with invisible padding", "Preview\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad end"},
    {"plain text with nbsp", "\u00a0\u00a0a\u00a0\u00a0b\u00a0"},
    {"plain text with unicode spaces", "a\u2003b\u3000c\u202fd\u1680e\u0085f\u2028g\u000bh\fi"},
    {"greater than alone", "a > b"},
    {"less than alone", "a < b"},
    {"less than before letter", "a <b c"},
    {"paragraphs", "<p>One</p><p>Two</p>"},
    {"unclosed paragraphs", "<p>One<p>Two<p>Three"},
    {"stray closing p", "One</p>Two"},
    {"stray closing br", "One</br>Two"},
    {"stray closing div", "One</div>Two"},
    {"br runs", "a<br><br><br><br>b"},
    {"br at start and end", "<br><br>a<br><br>"},
    {"br in span", "<span>a<br>b</span>c"},
    {"headings", "<h1>A</h1><h2>B</h2><h3>C</h3><h4>D</h4><h5>E</h5><h6>F</h6>"},
    {"heading with inline", "<h1>Welcome, <span>Ada</span>!</h1>"},
    {"blockquote", "<p>Said:</p><blockquote>Quote <b>bold</b></blockquote>after"},
    {"hr", "above<hr>below"},
    {
      "address and figure",
      "<address>1 Road</address><figure><img alt=Pic><figcaption>Cap</figcaption></figure>"
    },
    {"definition list", "<dl><dt>Term</dt><dd>Def</dd><dt>T2<dd>D2</dl>"},
    {"divs", "<div>One</div><div>Two</div>text<div>Three</div>"},
    {"nested divs", "<div><div><div>deep</div></div></div>"},
    {"inline elements", "<b>a</b><i>b</i> <em>c</em><span>d</span> <u>e</u>"},
    {"spaces between inline", "<span> a </span><span> b </span>"},
    {"ul", "<ul><li>a</li><li>b</li></ul>"},
    {"ol", "<ol><li>a</li><li>b</li><li>c</li></ol>"},
    {"ul unclosed items", "<ul><li>a<li>b<li>c</ul>"},
    {"nested ul in ol", "<ol><li>a<ul><li>x</li><li>y</li></ul></li><li>b</li></ol>"},
    {"nested ol in ul", "<ul><li>a<ol><li>x</li><li>y</li></ol></li><li>b</li></ul>"},
    {"three level lists", "<ul><li>1<ul><li>2<ol><li>3</li><li>3b</li></ol></li></ul></li></ul>"},
    {"li outside list", "<li>alone</li><li>again</li>"},
    {"empty li", "<ul><li></li><li> </li><li>x</li></ul>"},
    {"li with paragraphs", "<ul><li><p>one</p><p>two</p></li></ul>"},
    {"list between paragraphs", "<p>Items:</p><ul><li>Mug</li></ul><p>Thanks</p>"},
    {"ol numbering after nested", "<ol><li>a<ol><li>x</li></ol></li><li>b</li><li>c</li></ol>"},
    {"ol with li in div", "<ol><div><li>a</li></div><li>b</li></ol>"},
    {"table", "<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Mug</td><td>2</td></tr></table>"},
    {"table with empty cells", "<table><tr><td></td><td>x</td><td></td><td>y</td></tr></table>"},
    {"table without tr", "<table><td>a</td><td>b</td></table>"},
    {"table with text outside cells", "<table>foster<tr><td>a</td></tr></table>"},
    {
      "table caption thead tbody",
      "<table><caption>Cap</caption><thead><tr><th>H</th></tr></thead><tbody><tr><td>B</td></tr></tbody><tfoot><tr><td>F</td></tr></tfoot></table>"
    },
    {
      "nested tables",
      "<table><tr><td><table><tr><td>a</td><td>b</td></tr></table></td><td>c</td></tr></table>"
    },
    {"cell with block", "<table><tr><td><p>a</p></td><td><div>b</div></td></tr></table>"},
    {"td outside table", "<td>a</td><td>b</td>"},
    {"link", "<a href=\"https://x.test/a\">text</a>"},
    {"link same as text", "<a href=\"https://x.test/\">https://x.test</a>"},
    {"link same as text different case", "<a href=\"HTTPS://X.TEST/A\">https://x.test/a/</a>"},
    {"link text with trailing slash", "<a href=\"https://x.test\">https://x.test/</a>"},
    {"link empty", "<a href=\"https://x.test/e\"></a>"},
    {"link whitespace text", "<a href=\"https://x.test/w\"> </a>"},
    {"link image without alt", "<a href=\"https://x.test/l\"><img src=x></a>"},
    {"link image with alt", "<a href=\"https://x.test/l\"><img src=x alt=\"Logo\"></a>"},
    {"link without href", "<a>text</a>"},
    {"link empty href", "<a href=\"\">text</a>"},
    {"link blank href", "<a href=\"   \">text</a>"},
    {"link anchor", "<a href=\"#top\">Top</a>"},
    {"link javascript mixed case", "<a href=\"JavaScript:alert(1)\">x</a>"},
    {"link mailto", "<a href=\"mailto:a@b.test\">Write</a>"},
    {"link mailto upper", "<a href=\"MAILTO:A@B.TEST\">a@b.test</a>"},
    {"link mailto empty", "<a href=\"mailto:\">Write</a>"},
    {"link href with spaces", "<a href=\"  https://x.test/s  \">s</a>"},
    {"link href entity", "<a href=\"https://x.test/?a=1&amp;b=2&c=3\">q</a>"},
    {"link relative", "<a href=\"/path\">p</a>"},
    {"nested links", "<a href=\"https://x.test/1\">one<a href=\"https://x.test/2\">two</a></a>"},
    {"link around block", "<a href=\"https://x.test/b\"><div>block</div></a>after"},
    {"link in list", "<ul><li><a href=\"https://x.test/i\">item</a></li></ul>"},
    {"link unclosed", "<a href=\"https://x.test/u\">unclosed <p>para"},
    {"link uppercase attr", "<A HREF=\"https://x.test/U\">U</A>"},
    {"link text with spaces", "<a href=\"https://x.test/\">  https://x.test/  </a>"},
    {"img alt", "<img src=a alt=\"Acme logo\">"},
    {"img empty alt", "a<img alt=\"\">b"},
    {"img no alt", "a<img>b"},
    {"img alt whitespace", "a<img alt=\"  spaced  out  \">b"},
    {"img alt entity and invisible", "<img alt=\"&amp;\u200b&nbsp;x\">"},
    {"img between words", "a <img alt=X> b<img alt=Y>c"},
    {"img in pre", "<pre>a <img alt=\"  Y  \"> b</pre>"},
    {"image tag", "<image alt=\"I\" src=x>"},
    {"pre", "<pre>  keep\n   this  \n\tspacing </pre>"},
    {"pre with leading newline", "<pre>\nfirst\n\nsecond\n</pre>"},
    {"pre with br", "<pre>a<br>b</pre>"},
    {"pre with inline", "<pre>x <b> y </b> z</pre>"},
    {"pre nested", "<pre>a<pre>b</pre>c</pre>d"},
    {"pre in list", "<ul><li><pre> code </pre></li></ul>"},
    {"pre with nbsp and invisible", "<pre>\u00a0a\u200bb\u00a0 </pre>"},
    {"pre empty", "a<pre></pre>b"},
    {"pre only whitespace", "a<pre>   \n  </pre>b"},
    {"listing and xmp", "<listing>\n a  b</listing><xmp><b>x</b></xmp>"},
    {"textarea", "<textarea>  a <b>b</b>\n c</textarea>"},
    {"plaintext", "before<plaintext><p>all text</p>"},
    {"script", "<script>alert(1)</script>Visible"},
    {"script unclosed", "Visible<script>alert(1)"},
    {"style", "<style>p{}</style>Visible"},
    {"head with title", "<html><head><title>T</title><style>x</style></head><body>B</body></html>"},
    {"title in body", "<body><title>T</title>B</body>"},
    {"template", "<template><p>hidden</p></template>shown"},
    {"noscript", "<noscript>no js</noscript>shown"},
    {"iframe object svg", "<iframe>f</iframe><object>o</object><svg><text>s</text></svg>ok"},
    {"svg title", "<svg><title>t</title><desc>d</desc></svg>ok"},
    {"math", "<math><mi>x</mi></math>ok"},
    {"comments", "a<!-- c -->b<!---->c<!-- <p>x</p> -->d"},
    {"conditional comments", "<!--[if mso]><p>Outlook</p><![endif]--><p>All</p>"},
    {"downlevel revealed", "<![if !mso]><p>Not Outlook</p><![endif]>"},
    {"unclosed comment", "a<!-- never closed <p>b</p>"},
    {"cdata", "a<![CDATA[x<y]]>b"},
    {"doctype", "<!DOCTYPE html><p>x</p>"},
    {"processing instruction", "<?xml version=\"1.0\"?><p>x</p>"},
    {
      "full document",
      "<!DOCTYPE html><html lang=en><head><meta charset=utf-8></head><body><p>x</p></body></html>"
    },
    {"text before html", "pre<html><body>x</body></html>post"},
    {"two bodies", "<body>a</body><body>b</body>"},
    {"frameset", "<frameset><frame src=x></frameset>text"},
    {
      "form elements",
      "<form><label>L</label><input value=v><button>B</button><select><option>O1</option><option>O2</option></select></form>"
    },
    {"fieldset legend", "<fieldset><legend>Leg</legend>content</fieldset>"},
    {"details summary", "<details><summary>Sum</summary>Body</details>"},
    {
      "semantic blocks",
      "<header>h</header><nav>n</nav><main>m</main><article>a</article><aside>s</aside><footer>f</footer>"
    },
    {"center", "<center>c</center>d"},
    {"unknown tags", "<foo>a</foo><bar-baz>b</bar-baz><x:y>c</x:y>"},
    {"uppercase tags", "<P>a</P><DIV>b</DIV><UL><LI>c</LI></UL><BR>d"},
    {"mismatched nesting", "<b><i>a</b>b</i>c"},
    {"misnested blocks", "<p><div>a</p>b</div>"},
    {"p in span", "<span>a<p>b</p>c</span>"},
    {"unclosed everything", "<div><p><ul><li><a href=x><b>text"},
    {"broken tag", "<p class=\"unterminated>text</p>more"},
    {"broken tag at end", "text<p"},
    {"lone angle brackets", "<<>>< >"},
    {"attribute without quotes", "<a href=https://x.test/q>q</a>"},
    {"attribute with gt", "<a href=\"https://x.test/?a>b\">q</a>"},
    {"duplicate attributes", "<a href=\"https://x.test/1\" href=\"https://x.test/2\">d</a>"},
    {
      "entities named", "&laquo;&nbsp;ok&nbsp;&raquo; &copy; &reg; &trade; &hellip; &mdash; &ndash;"
    },
    {"entities numeric", "&#60;&#x3C;&#128512;&#x1F600;&#0;&#xD800;&#1114112;&#65533;"},
    {"entities without semicolon", "&ampx &lt3 &copy2024 &notit; &notin;"},
    {"entities in attributes", "<a href=\"https://x.test/?a=1&copy=2&amp;lt=3\">e</a>"},
    {"invisible entities", "<div>Preview&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div><p>Body</p>"},
    {"soft hyphen", "in&shy;vis&shy;ible"},
    {"zero width only", "<p>\u200b\u200b</p><p>x</p>"},
    {"nbsp only paragraph", "<p>&nbsp;</p><p>x</p><p>&nbsp;</p>"},
    {"wbr", "long<wbr>word"},
    {"whitespace between blocks", "<div>\n  a\n</div>\n\n  <div>\n b \n</div>"},
    {"trailing spaces in lines", "<div>a   </div><div>   b</div>"},
    {"tabs and nbsp in line", "<div>a\t\u00a0\t b</div>"},
    {"cell separators and br", "<table><tr><td>a<br>b</td><td>c</td></tr></table>"},
    {"cell after text in same row", "x<td>a</td>"},
    {"inline then block then inline", "a<div>b</div>c"},
    {"spaces around br", "a <br> b"},
    {"non-ASCII blocks", "<h1>Bienvenue, Zoé !</h1><p>C’est parti — 日本語 😀</p>"},
    {"right to left", "<p dir=rtl>שלום עולם</p><p>مرحبا</p>"},
    {"combining marks", "<p>e\u0301 a\u0308</p>"},
    {"unpaired surrogates", "<p>a\ud800b\udc00c</p>"},
    {"control characters", "<p>a\u0001b\u001fc\u007fd\u0085e</p>"},
    {"bidi controls", "<p>\u202ea\u202cb\u200ec\u200f</p>"},
    {
      "thymeleaf source",
      "<p th:text=\"${name}\">Ada</p><a th:href=\"${url}\" href=\"https://x.test/\">go</a>"
    },
    {"script injection in text", "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"javascript link with text equal", "<a href=\"javascript:x\">javascript:x</a>"},
    {"hash link empty", "<a href=\"#\"></a>x"},
    {"many spaces link", "<a href=\"https://x.test/\">\n\n  https://x.test  \n</a>"},
    {"link text mailto same", "<a href=\"mailto:a@b.test\">mailto:a@b.test</a>"},
  };

  static Stream<Arguments> corpus() {
    return cases(CORPUS).map(c -> Arguments.of(Named.of(c.get("name").asString(), c)));
  }

  static Stream<Arguments> longCases() {
    Map<String, String> inputs = longInputs();
    return cases(LONG)
        .map(
            c ->
                Arguments.of(
                    Named.of(c.get("name").asString(), c), inputs.get(c.get("name").asString())));
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void textIsWhatItWasWhenTheCorpusWasMade(JsonNode c) {
    assertThat(HtmlToText.convert(c.get("html").asString())).isEqualTo(c.get("text").asString());
  }

  @ParameterizedTest
  @MethodSource("longCases")
  void textOfVeryLongInputIsWhatItWas(JsonNode c, String html) {
    String text = HtmlToText.convert(html);
    assertThat(text.length()).isEqualTo(Integer.parseInt(c.get("length").asString()));
    assertThat(sha256(text)).isEqualTo(c.get("sha256").asString());
  }

  /** Inputs too long to keep in a file, built the same way every time. */
  static Map<String, String> longInputs() {
    Map<String, String> inputs = new LinkedHashMap<>();
    String welcome = shipped("welcome/body.html");
    inputs.put("welcome source 200 times", welcome.repeat(200));
    inputs.put(
        "welcome source body 200 times",
        welcome.replaceAll("(?s).*<body[^>]*>|</body>.*", "").repeat(200));
    inputs.put("deeply nested divs", "<div>x".repeat(5_000) + "y" + "</div>".repeat(5_000));
    inputs.put("deeply nested spans unclosed", "<span>a ".repeat(5_000));
    inputs.put("deeply nested lists", "<ul><li>i".repeat(2_000) + "</li></ul>".repeat(2_000));
    inputs.put("deeply nested ordered lists unclosed", "<ol><li>o<li>p".repeat(2_000));
    inputs.put(
        "deeply nested tables",
        "<table><tr><td>t".repeat(1_000) + "</td></tr></table>".repeat(1_000));
    inputs.put(
        "deeply nested links",
        "<a href=\"https://x.test/n\">n".repeat(3_000) + "</a>".repeat(3_000));
    inputs.put("deeply nested pre", "<pre> p \n".repeat(2_000));
    inputs.put("deeply nested formatting", "<b><i><u>f".repeat(2_000));
    inputs.put("many unclosed paragraphs", "<p>para &amp; text ".repeat(20_000));
    inputs.put("many br", "line<br>".repeat(20_000));
    inputs.put("many cells", "<table><tr>" + "<td>c</td>".repeat(20_000) + "</tr></table>");
    inputs.put(
        "many rows", "<table>" + "<tr><td>a</td><td>b</td></tr>".repeat(10_000) + "</table>");
    inputs.put("many list items", "<ol>" + "<li>item</li>".repeat(20_000) + "</ol>");
    inputs.put("many links", "<a href=\"https://x.test/m\">more</a> ".repeat(10_000));
    inputs.put("many images", "<img alt=\"pic\">".repeat(20_000));
    inputs.put("many comments", "a<!-- c -->".repeat(20_000));
    inputs.put("long text node", "word \n\t\u00a0 \u200b".repeat(100_000));
    inputs.put("long text without spaces", "x".repeat(500_000));
    inputs.put("long whitespace", " \n\t".repeat(200_000) + "end");
    inputs.put("long pre", "<pre>" + "  code line\n".repeat(50_000) + "</pre>");
    inputs.put("long attribute", "<a href=\"https://x.test/" + "a".repeat(200_000) + "\">l</a>");
    inputs.put("long alt", "<img alt=\"" + "alt ".repeat(50_000) + "\">");
    inputs.put("long comment", "<!--" + "-".repeat(200_000) + "x");
    inputs.put("many entities", "&amp;&lt;&gt;&nbsp;&eacute;&#8364;&#x1F600;&zwnj;".repeat(20_000));
    inputs.put("many broken tags", "<p<a<b< ".repeat(20_000));
    inputs.put("many stray closing tags", "</p></div></li></a></td>t".repeat(10_000));
    inputs.put("non-ASCII text", "<p>Zoé 日本語 😀 עברית</p>".repeat(10_000));
    return inputs;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String shipped(String file) {
    try (InputStream in =
        HtmlToTextCorpusTest.class.getResourceAsStream("/email-templates/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Stream<JsonNode> cases(String file) {
    try (InputStream in = HtmlToTextCorpusTest.class.getResourceAsStream(file)) {
      JsonMapper json = JsonMapper.builder().build();
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      return lines.stream().map(json::readTree).toList().stream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
