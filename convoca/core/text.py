"""Text that must stay on one line: names, titles, places, whatever goes into a header."""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069):
# invisible, they make a name read backwards ("Trojan Source"). Removed.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Everything that ends or breaks a line, or that no one types in a name: C0 and
# C1 controls (CR, LF, tab, vertical tab, form feed, NEL U+0085, file/group/record
# separators), the line and paragraph separators U+2028 and U+2029. A space each.
# NUL is left for the forms to refuse (Django's ProhibitNullCharactersValidator).
BREAKS = re.compile("[\x01-\x1f\x7f-\x9f\u2028\u2029]")
SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    """``text`` on one line: breaks and controls become spaces, bidi controls go.

    Runs of whitespace become one space and the ends are trimmed, so
    ``"Ana\\r\\nBcc: x@example.org"`` is ``"Ana Bcc: x@example.org"``:
    harmless on one line, and what the visitor typed is still there to see.
    """
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # the common case: nothing to do (U+202A.. are not printable)
    text = BIDI_CONTROLS.sub("", text)
    return SPACES.sub(" ", BREAKS.sub(" ", text)).strip()


class OneLineNames:
    """An object seen by an email template, its name attributes read as one line.

    Defence in depth for templates that write ``{{ person.given_name }}``:
    a value stored before the forms made names one line cannot start a
    line of its own in the email. Every other attribute is the object's own.
    """

    NAMES = frozenset({"given_name", "family_name", "full_name", "name", "public_name"})

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def __getattr__(self, attribute):
        value = getattr(self._wrapped, attribute)
        if attribute in self.NAMES and isinstance(value, str):
            return one_line(value)
        return value

    def __str__(self):
        return one_line(str(self._wrapped))


def one_line_names(context: dict) -> dict:
    """``context`` with each person-like value (it has a ``given_name``) as ``OneLineNames``."""
    return {
        key: OneLineNames(value)
        if not isinstance(value, (str, int, float, dict, list, tuple))
        and hasattr(value, "given_name")
        else value
        for key, value in context.items()
    }
