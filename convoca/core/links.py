"""Signed links sent by email: reading them, and a new one when one does not work.

A link that does not verify was mangled (a mail program cut it, a reader
copied part of it) or forged; a link that verifies but is older than its
limit has expired. The two are told apart, so nobody is told "links work
for 30 days" about a link they opened a minute after it came. Either page
offers a new link by email: ``LinkResendView`` takes an address and calls
the app's resend service, answering the same whether or not the address
had anything waiting, so the form tells nobody who signed what.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core import signing
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache

from convoca.core.antibot import HoneypotForm, RateLimited, rate_limit
from convoca.core.forms import email_field

# A new link asked for by hand may leave this soon after the last one (a
# double-click sends one); the per-address limit below bounds the rest.
RESEND_INTERVAL_SECONDS = 60
# At most this many asked-for links a day to one address, whoever asks.
RESEND_PER_EMAIL = (3, 24 * 3600)
RESEND_PER_CLIENT = (10, 3600)


def resend_window() -> str:
    """A dedupe-key suffix for a link asked for by hand: one per ``RESEND_INTERVAL_SECONDS``.

    Automatic confirmation emails are keyed by day; a resend gets a key of
    its own, so it may leave even if today's went, but a double-click sends
    one.
    """
    return f"resend-{int(time.time() // RESEND_INTERVAL_SECONDS)}"


class LinkExpired(Exception):
    """A link that was made by this site but is older than it may be."""


def signed_link_read(token: str, *, salt: str, max_age: int | None = None):
    """The value a link was signed with; None if it was not made here (or is damaged).

    Raises :class:`LinkExpired` when the signature is good but older than
    ``max_age`` seconds.
    """
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature:
        return None


class LinkResendForm(HoneypotForm):
    email = email_field(
        help_text=_("The address the first email went to."),
        required_message=_("Enter your email address: the new link goes there."),
    )


def link_problem(request, *, expired: bool, resend_url: str, expired_text: str = ""):
    """The page of a link that does not work: expired (410) or invalid (400), and the form."""
    return render(
        request,
        "core/link_problem.html",
        {
            "expired": expired,
            "expired_text": expired_text,
            "form": LinkResendForm(),
            "resend_url": resend_url,
        },
        status=410 if expired else 400,
    )


@method_decorator(never_cache, name="dispatch")
class LinkResendView(View):
    """Send a fresh link to an address that has something to confirm; the same answer always.

    ``resend(email=..., language=...)`` is the app's service; it does
    nothing for an address with nothing waiting. Rate-limited per client
    and per address, so the form cannot flood anyone's inbox.
    """

    resend: Callable[..., None] | None = None
    scope = "link-resend"

    def get(self, request):
        return self._page(request, LinkResendForm())

    def post(self, request):
        from convoca.core.views import too_many_requests

        form = LinkResendForm(request.POST)
        if not form.is_valid():
            return self._page(request, form, status=400)
        email = form.cleaned_data["email"]
        try:
            rate_limit(
                request,
                scope=self.scope,
                email=email,
                per_client=RESEND_PER_CLIENT,
                per_email=RESEND_PER_EMAIL,
            )
        except RateLimited:
            return too_many_requests(request)
        self.resend(email=email, language=request.LANGUAGE_CODE)
        return render(request, "core/link_resend_sent.html")

    def _page(self, request, form, status=200):
        return render(
            request,
            "core/link_problem.html",
            {"form": form, "resend_url": request.path, "asking": True},
            status=status,
        )
