"""The public forms: subscribe, and the preference centre."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm
from convoca.core.forms import email_field, given_name_field


class SubscribeForm(HoneypotForm):
    given_name = given_name_field(label=_("First name (optional)"), required=False)
    email = email_field(
        help_text=_("We send you one email to confirm. Never shown, never shared."),
        required_message=_("Enter your email address: we send you a link to confirm."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The honeypot goes last, where a bot filling every field finds it.
        self.fields["website"] = self.fields.pop("website")


class PreferencesForm(forms.Form):
    lists = forms.MultipleChoiceField(
        label=_("Send me"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("In this language"), choices=settings.LANGUAGES)

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].choices = [
            (str(ml.pk), f"{ml.label} — {ml.text}" if ml.text else ml.label) for ml in offered
        ]

    def list_ids(self) -> set[int]:
        return {int(v) for v in self.cleaned_data["lists"]}
