"""Form fields every public form asks the same way (a person's name, email and country),
and the admin form of content kept one row per language."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.core.text import one_line

_COUNTRY_CODES = frozenset(code for code, _name in countries)
INVALID_EMAIL = _("Please enter a valid email address, like ana@example.org.")
FIRST_NAME = _("First name")
EMAIL = _("Email")


class OneLineField(forms.CharField):
    """Text on one line: a name, a title, a city, an answer in a text box.

    A browser's text box cannot hold a line break, but a request can: what
    arrives is made one line (``core.text.one_line``: line breaks and other
    controls become a space, the invisible bidirectional controls that make
    text read backwards are removed), so it can never start a line of its
    own in an email, a header or a CSV. Stripped rather than refused: the
    visitor sees what they typed, on one line.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return one_line(value) if value else value


def given_name_field(*, label=FIRST_NAME, required: bool = True) -> forms.CharField:
    return OneLineField(
        label=label,
        max_length=100,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your first name.")},
    )


def family_name_field() -> forms.CharField:
    return OneLineField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


def email_field(*, required_message, help_text="", label=EMAIL) -> forms.EmailField:
    """An email field whose help and "required" message say what the address is for."""
    return forms.EmailField(
        label=label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=help_text,
        error_messages={"required": required_message, "invalid": INVALID_EMAIL},
    )


def _country_choices():
    return [("", "—"), *countries]  # in the active language, sorted


def country_field(
    label, *, required_message, invalid_message, required: bool = True
) -> forms.CharField:
    """A country code, checked against a set; the list of names is built only to render.

    Signing is the hot path: a ChoiceField would build and copy the 250
    translated names for every submission.
    """

    def valid(code):
        if code and code not in _COUNTRY_CODES:
            raise forms.ValidationError(invalid_message)

    return OneLineField(
        label=label,
        required=required,
        max_length=2,
        validators=[valid],
        widget=forms.Select(choices=_country_choices),
        error_messages={"required": required_message},
    )
