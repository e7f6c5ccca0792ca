package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlToTextTest {

  @Test
  void blockElementsStartOnTheirOwnLine() {
    assertThat(HtmlToText.convert("<div>One</div><div>Two</div><section>Three</section>"))
        .isEqualTo("One\nTwo\nThree");
  }

  @Test
  void paragraphsAreSeparatedByABlankLine() {
    assertThat(HtmlToText.convert("<p>First paragraph.</p><p>Second paragraph.</p>"))
        .isEqualTo("First paragraph.\n\nSecond paragraph.");
  }

  @Test
  void nestedBlocksDoNotStackBlankLines() {
    assertThat(HtmlToText.convert("<div><div><p>One</p></div></div><div><p>Two</p></div>"))
        .isEqualTo("One\n\nTwo");
  }

  @Test
  void inlineElementsStayOnTheLine() {
    assertThat(
            HtmlToText.convert("<p>Hello <b>bold</b> and <em>kind</em><span>ly</span> world</p>"))
        .isEqualTo("Hello bold and kindly world");
  }

  @Test
  void brIsALineBreak() {
    assertThat(HtmlToText.convert("<p>Line one<br>Line two<br/>Line three</p>"))
        .isEqualTo("Line one\nLine two\nLine three");
  }

  @Test
  void linkShowsItsUrlAfterItsText() {
    assertThat(
            HtmlToText.convert(
                "<p>Please <a href=\"https://x.test/a?b=1&amp;c=2\">confirm</a>.</p>"))
        .isEqualTo("Please confirm (https://x.test/a?b=1&c=2).");
  }

  @Test
  void linkWhoseTextIsItsUrlShowsItOnce() {
    assertThat(HtmlToText.convert("<a href=\"https://x.test/\">https://x.test</a>"))
        .isEqualTo("https://x.test");
  }

  @Test
  void mailLinkShowsTheAddress() {
    assertThat(HtmlToText.convert("<a href=\"mailto:help@x.test\">Contact us</a>"))
        .isEqualTo("Contact us (help@x.test)");
    assertThat(HtmlToText.convert("<a href=\"mailto:help@x.test\">help@x.test</a>"))
        .isEqualTo("help@x.test");
  }

  @Test
  void linkWithoutTextShowsItsUrl() {
    assertThat(
            HtmlToText.convert(
                "<a href=\"https://x.test/logo\"><img src=\"logo.png\" alt=\"\"></a>"))
        .isEqualTo("https://x.test/logo");
  }

  @Test
  void pageAnchorsAndScriptLinksShowNoUrl() {
    assertThat(
            HtmlToText.convert("<a href=\"#top\">Top</a> <a href=\"javascript:void(0)\">Menu</a>"))
        .isEqualTo("Top Menu");
  }

  @Test
  void imagesShowTheirAltText() {
    assertThat(HtmlToText.convert("<p><img src=\"a.png\" alt=\"Acme logo\"></p><p>Hi</p>"))
        .isEqualTo("Acme logo\n\nHi");
  }

  @Test
  void listItemsArePrefixedWithADash() {
    assertThat(HtmlToText.convert("<p>Items:</p><ul><li>Mug</li><li>Tea</li></ul><p>Thanks</p>"))
        .isEqualTo("Items:\n\n- Mug\n- Tea\n\nThanks");
  }

  @Test
  void orderedListItemsAreNumbered() {
    assertThat(HtmlToText.convert("<ol><li>Sign in</li><li>Confirm</li></ol>"))
        .isEqualTo("1. Sign in\n2. Confirm");
  }

  @Test
  void nestedListsStayTogether() {
    assertThat(HtmlToText.convert("<ul><li>Fruit<ul><li>Apple</li></ul></li><li>Tea</li></ul>"))
        .isEqualTo("- Fruit\n- Apple\n- Tea");
  }

  @Test
  void headingsStandOnTheirOwnLine() {
    assertThat(HtmlToText.convert("<h1>Your order</h1>Shipped today.<h2>Items</h2><p>Mug</p>"))
        .isEqualTo("Your order\n\nShipped today.\n\nItems\n\nMug");
  }

  @Test
  void scriptStyleAndHeadAreLeftOut() {
    String html =
        """
        <html><head><title>Title</title><style>p { color: red; }</style></head>
        <body><style>.x { }</style><script>alert(1)</script><p>Visible</p>
        <!--[if mso]><p>Outlook only</p><![endif]--></body></html>""";

    assertThat(HtmlToText.convert(html)).isEqualTo("Visible");
  }

  @Test
  void whitespaceIsCollapsed() {
    assertThat(HtmlToText.convert("<p>  lots \n\t of   \n space  </p>")).isEqualTo("lots of space");
  }

  @Test
  void entitiesAreDecoded() {
    assertThat(
            HtmlToText.convert(
                "<p>Fish &amp; chips &lt;3 &eacute;t&eacute; &laquo;&nbsp;ok&nbsp;&raquo; &#8364;5</p>"))
        .isEqualTo("Fish & chips <3 été « ok » €5");
  }

  @Test
  void invisiblePreheaderPaddingIsDropped() {
    assertThat(HtmlToText.convert("<div>Preview&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div><p>Body</p>"))
        .isEqualTo("Preview\n\nBody");
  }

  @Test
  void tableCellsOfARowShareALine() {
    String html =
        "<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Mug</td><td>2</td></tr>"
            + "<tr><td></td><td>Total</td></tr></table>";

    assertThat(HtmlToText.convert(html)).isEqualTo("Item | Qty\nMug | 2\nTotal");
  }

  @Test
  void linesAndResultAreTrimmed() {
    assertThat(HtmlToText.convert("\n  <br><br><div>  padded  </div>  <p> </p><br>\n"))
        .isEqualTo("padded");
  }

  @Test
  void emptyHtmlGivesEmptyText() {
    assertThat(HtmlToText.convert("")).isEmpty();
  }
}
