"""The admin's sign-in form: failed passwords are counted, and after many cost a proof of work."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm

from convoca.core.admin_site import SIGN_IN_POW_SCOPE
from convoca.core.antibot import pow_passed, sign_in_attempt_forgive, sign_in_attempt_start


class AdminSignInForm(AuthenticationForm):
    """Unfold's sign-in form, counting failed passwords and asking for work after many.

    Every attempt is counted as a failure before the password is checked
    and taken back unless it was one (``antibot.sign_in_attempt_start``).
    When this client address has failed too often, an attempt without a
    solved proof of work is answered without checking the password, so
    guessing costs the work; with JavaScript the browser does it unseen. A
    successful sign-in counts nothing.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "pow_needed": _(
            "Several sign-ins failed from your network, so your browser must first do a "
            "short check. Wait a few seconds and send the form again. This needs "
            "JavaScript; without it, try again in an hour."
        ),
        "refused": _(
            "Too many failed sign-ins to this account from your network. Try again in an hour."
        ),
    }

    def clean(self):
        account = self.cleaned_data.get("username") or ""
        if not (account and self.cleaned_data.get("password")):
            return super().clean()  # a field left blank: nothing is checked or counted
        gate = sign_in_attempt_start(self.request, account=account)
        if gate.refused or (
            gate.needs_pow and not pow_passed(self.request, scope=SIGN_IN_POW_SCOPE)
        ):
            sign_in_attempt_forgive(self.request, account=account)  # not checked: no failure
            code = "refused" if gate.refused else "pow_needed"
            raise ValidationError(self.error_messages[code], code=code)
        cleaned = super().clean()  # a wrong password raises, and stays counted
        sign_in_attempt_forgive(self.request, account=account)
        return cleaned
