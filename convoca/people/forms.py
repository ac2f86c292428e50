from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm


class DataAccessRequestForm(HoneypotForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Please enter a valid email address, like ana@example.org.")},
    )


class DataEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my personal data will be deleted and cannot be recovered."),
        error_messages={"required": _("Tick the box to confirm that you want your data erased.")},
    )
