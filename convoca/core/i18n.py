"""Language helpers shared by templates and server-drawn markup."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def language_note_text(language: str) -> str:
    """ "(en español)": in ``language``, that a linked text is written in it; "" in the page's."""
    if language == translation.get_language() or language not in dict(settings.LANGUAGES):
        return ""  # a link to a text in a language the site has no words in says nothing
    with translation.override(language):
        # Translators: shown, in this language, after a link to a text written in it,
        # on pages in other languages: "(en español)" in Spanish.
        return gettext("(in English)")


def label_in_language(labels: dict | None, language: str | None = None) -> str:
    """A ``{language: text}`` label (a topic's name, a list's description) in ``language``.

    ``language`` is the active one unless given; a label without it is shown
    in the site's language, else in the first language it has.
    """
    labels = labels or {}
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (language, settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES)):
        if labels.get(code):
            return labels[code]
    return next((text for text in labels.values() if text), "")
