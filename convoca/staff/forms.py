"""Forms of the second sign-in step and of enrolling second factors (no JavaScript needed)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextInputWidget

from convoca.core.forms import OneLineField


class SecondFactorCodeForm(forms.Form):
    """The code an authenticator app shows, or one of the member's recovery codes."""

    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=40,
        widget=UnfoldAdminTextInputWidget(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code your authenticator app shows.")},
    )


class AuthenticatorAppConfirmForm(forms.Form):
    """A name for the new app and the code it shows, proving it holds the secret."""

    name = OneLineField(
        label=_("Name of this app or phone"),
        max_length=64,
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": _("for example: my phone")}),
    )
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=12,
        widget=UnfoldAdminTextInputWidget(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code your authenticator app shows.")},
    )


class PasskeyAddForm(forms.Form):
    """A name for the new passkey; the browser fills in its answer (``credential``)."""

    name = OneLineField(
        label=_("Name of this passkey"),
        max_length=64,
        required=False,
        widget=UnfoldAdminTextInputWidget(
            attrs={"placeholder": _("for example: my laptop, my security key")}
        ),
    )
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000)
