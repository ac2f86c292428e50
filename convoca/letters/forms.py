"""The letter's forms: finding one's decision-makers, then writing and signing the letter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.actions.forms import SignatureForm
from convoca.actions.models import Action
from convoca.core.forms import OneLineField, country_field
from convoca.letters.models import Target
from convoca.letters.services import LETTER_MAX_CHARS


def _place_fields() -> dict[str, forms.Field]:
    return {
        "country": country_field(
            _("Country"),
            required_message=_("Choose your country: it tells us who represents you."),
            invalid_message=_("Choose your country from the list."),
        ),
        "postal_code": OneLineField(
            label=_("Postal code"),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        ),
        "region": OneLineField(
            label=_("Region, state or province (if you have no postal code)"),
            max_length=100,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
        ),
    }


class PlaceForm(forms.Form):
    """Step one, sent by GET: where the supporter lives, to find their decision-makers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_place_fields())


class TargetChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, target: Target) -> str:
        place = target.district or target.region
        return f"{target} ({target.body}{', ' + place if place else ''})"


class LetterForm(SignatureForm):
    """Step two: the targets, the letter, and the signer, with the signing form's own fields.

    ``selectable`` is what the lookup offered for the place given (the
    choice cannot name anyone else); ``pinned`` targets get every letter.
    """

    def __init__(
        self,
        *args,
        action: Action,
        selectable: list[Target],
        pinned: list[Target],
        editable_text: str = "",
        **kwargs,
    ):
        super().__init__(*args, action=action, **kwargs)
        self.pinned = pinned
        signing = dict(self.fields)
        honeypot = signing.pop("website")
        signing.pop("country")
        for name in ("city", "postal_code"):  # asked here whatever the action says
            signing.pop(name, None)
        fields = _place_fields()
        fields["targets"] = TargetChoiceField(
            label=_("Write to"),
            queryset=Target.objects.filter(pk__in=[t.pk for t in selectable]).select_related(
                "body"
            ),
            required=not pinned,
            error_messages={"required": _("Choose at least one person to write to.")},
        )
        fields["text"] = forms.CharField(
            label=_("Your letter"),
            max_length=LETTER_MAX_CHARS,
            initial=editable_text,
            widget=forms.Textarea(attrs={"rows": 10}),
            help_text=_("Plain text. Change it as you like: your own words count most."),
            error_messages={"required": _("Write your letter: the text cannot be empty.")},
        )
        fields.update({name: signing.pop(name) for name in ("given_name", "family_name", "email")})
        fields["city"] = OneLineField(
            label=_("Town or city"),
            max_length=120,
            required=False,
            help_text=_("Shown under your name in the letter, with your postal code."),
            widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        )
        fields["show_email"] = forms.BooleanField(
            label=_("Show my email address in the letter."), required=False
        )
        fields["reply_to"] = forms.BooleanField(
            label=_("They may reply to me by email (they then see my address)."),
            required=False,
        )
        fields.update(signing)
        fields["website"] = honeypot
        self.fields = fields

    def clean_text(self):
        from convoca.letters.services import letter_text_clean

        text = letter_text_clean(self.cleaned_data.get("text", ""))
        if not text:
            raise forms.ValidationError(_("Write your letter: the text cannot be empty."))
        return text

    def targets(self) -> list[Target]:
        chosen = list(self.cleaned_data.get("targets") or [])
        return [*self.pinned, *(t for t in chosen if t not in self.pinned)]

    def locality(self) -> str:
        data = self.cleaned_data
        return " ".join(p for p in (data.get("city", ""), data.get("postal_code", "")) if p)
