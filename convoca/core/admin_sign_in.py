"""The admin's sign-in form: failed passwords are counted, and after many cost a proof of work."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from convoca.core.admin_site import SIGN_IN_POW_SCOPE
from convoca.core.antibot import pow_passed, sign_in_failure_record, sign_in_gate


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, which counts failed passwords and asks for work after many.

    When this client address has failed too often (``antibot.sign_in_gate``),
    an attempt without a solved proof of work is answered without checking
    the password, so guessing costs the work; with JavaScript the browser
    does it unseen. A successful sign-in counts nothing.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "pow_needed": _(
            "Several sign-ins failed from your network, so your browser must first do a "
            "short check. Wait a few seconds and send the form again. This needs "
            "JavaScript; without it, try again in an hour."
        ),
    }

    def clean(self):
        account = self.cleaned_data.get("username") or ""
        if sign_in_gate(self.request, account=account).needs_pow and not pow_passed(
            self.request, scope=SIGN_IN_POW_SCOPE
        ):
            raise ValidationError(self.error_messages["pow_needed"], code="pow_needed")
        try:
            return super().clean()
        except ValidationError:
            if account and self.cleaned_data.get("password"):
                sign_in_failure_record(self.request, account=account)
            raise
