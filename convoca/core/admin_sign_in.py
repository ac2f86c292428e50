"""The admin's sign-in form: failed passwords are counted, and after many cost a proof of work."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm

from convoca.core.admin_site import SIGN_IN_ACCOUNT_POW_SCOPE, SIGN_IN_POW_SCOPE
from convoca.core.antibot import pow_passed, sign_in_attempt_forgive, sign_in_attempt_start


class AdminSignInForm(AuthenticationForm):
    """Unfold's sign-in form, counting failed passwords and asking for work after many.

    Every attempt is counted as a failure before the password is checked
    and taken back unless it was one (``antibot.sign_in_attempt_start``).
    When this client address has failed too often, an attempt without a
    solved proof of work is answered without checking the password, so
    guessing costs the work; with JavaScript the browser does it unseen.
    When it has failed too often on this account, the work is longer (some
    seconds) instead of a refusal, so nobody is locked out of their own
    account by someone else's guesses from the same network. A successful
    sign-in counts nothing.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "pow_needed": _(
            "Several sign-ins failed from your network, so your browser must first do a "
            "short check. Wait a few seconds and send the form again. This needs "
            "JavaScript; without it, try again in an hour."
        ),
        "long_pow_needed": _(
            "Many sign-ins to this account failed from your network, so your browser must "
            "first do a longer check. Wait about ten seconds, type the password again and "
            "send the form. This needs JavaScript; without it, try again in an hour."
        ),
    }

    def clean(self):
        account = self.cleaned_data.get("username") or ""
        if not (account and self.cleaned_data.get("password")):
            return super().clean()  # a field left blank: nothing is checked or counted
        gate = sign_in_attempt_start(self.request, account=account)
        if gate.needs_long_pow:
            # The long work covers the short one too.
            code = (
                None
                if pow_passed(self.request, scope=SIGN_IN_ACCOUNT_POW_SCOPE)
                else "long_pow_needed"
            )
        elif gate.needs_pow:
            code = None if pow_passed(self.request, scope=SIGN_IN_POW_SCOPE) else "pow_needed"
        else:
            code = None
        if code:
            sign_in_attempt_forgive(self.request, account=account)  # not checked: no failure
            raise ValidationError(self.error_messages[code], code=code)
        cleaned = super().clean()  # a wrong password raises, and stays counted
        sign_in_attempt_forgive(self.request, account=account)
        return cleaned
