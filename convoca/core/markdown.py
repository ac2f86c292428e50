"""Markdown written by organisers, rendered to HTML that is safe to show."""

import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def markdown_render(text: str) -> SafeString:
    """Markdown to HTML, then keep only harmless tags, attributes and URL schemes.

    Links get ``rel="noopener noreferrer nofollow"``; scripts, styles, event
    handlers, iframes and ``javascript:`` URLs are dropped.
    """
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(  # noqa: S308 (nh3 has just removed everything unsafe)
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def markdown_to_text(text: str) -> str:
    """Markdown as plain text for an email body: the source minus raw HTML, which reads fine."""
    return html.unescape(nh3.clean(text, tags=set()))
