"""The Weekly as an email: a subject and a Markdown body in one language."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from convoca.publishing.models import WeeklyIssue
from convoca.publishing.selectors import weekly_issue_sections


def _in_language(code: str) -> str:
    # Whole phrases, so that each language can write "in English" its own way
    # (Spanish: "en inglés", lower case).
    phrases = {
        "en": _("in English"),
        "es": _("in Spanish"),
        "pt": _("in Portuguese"),
        "fr": _("in French"),
    }
    return phrases.get(code, _("in another language"))


def _md_text(text: str) -> str:
    """Text safe inside Markdown link text: brackets and emphasis marks escaped."""
    for mark in ("\\", "[", "]", "*", "_", "`"):
        text = text.replace(mark, f"\\{mark}")
    return text


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def weekly_issue_email_markdown(issue: WeeklyIssue, language: str) -> tuple[str, str]:
    """Subject and Markdown body of ``issue`` for readers of ``language``.

    Every link is listed whatever its language; one in another language
    says which. The body ends with the issue's address on the web.
    """
    with translation.override(language):
        issue_date = date_format(issue.date, "DATE_FORMAT")
        subject = _("The Weekly #%(number)s – %(date)s") % {  # noqa: RUF001
            "number": issue.number,
            "date": issue_date,
        }
        kinds = dict(issue.links.model.Kind.choices)
        lines = [f"# {subject}", ""]
        if intro := issue.intro_in(language):
            lines += [intro.strip(), ""]
        for title, links in weekly_issue_sections(issue):
            lines += [f"## {title or _('More links')}", ""]
            for link in links:
                details = [link.source] if link.source else []
                if link.kind != link.Kind.ARTICLE:
                    details.append(str(kinds[link.kind]))
                if link.language != language:
                    details.append(_in_language(link.language))
                line = f"- [{_md_text(link.title)}]({_md_url(link.url)})"
                if details:
                    line += f" — {_md_text(', '.join(details))}"
                lines.append(line)
                if link.note:
                    lines.append(f"  {_md_text(link.note)}")
            lines.append("")
        lines.append(
            _("Read this issue on the web: %(url)s")
            % {"url": settings.SITE_URL + issue.get_absolute_url()}
        )
    return subject, "\n".join(lines) + "\n"
