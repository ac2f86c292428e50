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


class TranslationOfForm(forms.ModelForm):
    """The admin form of content kept one row per language, grouped by ``translation_key``.

    "Translation of" joins this row to another's group. The choice lists
    only what the staff member may edit (``translatable``, narrowed by
    ``organisations.scoping.OrganisationScopedAdmin.get_form``): joining another organisation's
    action would share its signatures, and listing it would show its drafts.
    """

    translation_of = forms.ModelChoiceField(
        label=_("translation of"), queryset=None, required=False
    )
    #: Help text under the field, saying what joining means for this content.
    translation_help = ""
    #: What may be chosen; None is everything (a coordinator).
    translatable = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        queryset = (self.translatable or model._default_manager.all()).order_by("-created_at")
        field = self.fields["translation_of"]
        if self.instance.pk:
            group = model._default_manager.filter(translation_key=self.instance.translation_key)
            queryset = queryset.exclude(translation_key=self.instance.translation_key)
            field.initial = group.exclude(pk=self.instance.pk).first()
        field.queryset = queryset
        field.help_text = self.translation_help

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("translation_of")
        language = cleaned.get("language")
        if original is None:
            return cleaned
        if original.language == language:
            self.add_error("translation_of", _("A translation must be in another language."))
        elif (
            self._meta.model._default_manager.filter(
                translation_key=original.translation_key, language=language
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("translation_of", _("That text already has a version in this language."))
        else:
            self.instance.translation_key = original.translation_key
        return cleaned
