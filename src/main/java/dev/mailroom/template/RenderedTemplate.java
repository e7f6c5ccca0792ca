package dev.mailroom.template;

/**
 * The result of rendering a template, ready to go into a message.
 *
 * @param name the template name
 * @param version short hash of the template's files, stored with the email so it can be traced to
 *     the exact content it was rendered from
 * @param locale the variant actually used, such as {@code fr} or {@code default}
 * @param subject one line, without line breaks
 * @param html the rendered HTML body
 * @param text the rendered {@code body.txt}, or text derived from the HTML when there is none
 */
public record RenderedTemplate(
    String name, String version, String locale, String subject, String html, String text) {}
