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
