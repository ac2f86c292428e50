"""Defences every public form shares: a honeypot and rate limits; the staff sign-in's limits.

Nothing here calls another host. Clients and addresses are counted in the
cache under a keyed hash, so neither an IP address nor an email appears in
the cache or the database (an unkeyed hash of an IPv4 address is reversed
by trying all four billion).
"""

from __future__ import annotations

import contextlib
import time
import unicodedata
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import get_callable
from django.utils.translation import gettext_lazy as _

from convoca.core.crypto import blind_index, normalise_email


class RateLimited(Exception):
    """Too many submissions from one client or for one address."""


class HoneypotForm(forms.Form):
    """A form with a field people never see and bots fill in."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                _("This field must stay empty. Please clear it and send the form again.")
            )
        return ""


def client_key(request: HttpRequest) -> str:
    """The address the request came from, as told by the trusted proxy when there is one."""
    return request.META.get(settings.CONVOCA_CLIENT_IP_HEADER) or request.META.get(
        "REMOTE_ADDR", ""
    )


def _window_key(scope: str, key: str, period: int) -> str:
    window = int(time.time() // period)
    return f"rl:{scope}:{blind_index(key, purpose='rate-limit')[:32]}:{window}"


def _hit(scope: str, key: str, *, limit: int, period: int) -> bool:
    """Count one hit in a fixed window; True when the window is over its limit."""
    cache_key = _window_key(scope, key, period)
    if cache.add(cache_key, 1, timeout=period + 1):
        return limit < 1
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        return limit < 1


def rate_window_hit(scope: str, key: str, *, limit: int, period: int) -> float:
    """Count one hit for ``key``; 0 while under ``limit``, else the seconds until the window ends.

    For limits on something other than a client or an address (an API key).
    """
    if not _hit(scope, key, limit=limit, period=period):
        return 0
    return period - time.time() % period


def rate_limit(
    request: HttpRequest,
    *,
    scope: str,
    email: str = "",
    per_client: tuple[int, int] = (20, 3600),
    per_email: tuple[int, int] = (5, 3600),
) -> None:
    """Raise :class:`RateLimited` when this client or this address has sent too much.

    Limits are ``(count, seconds)``. Both counters advance on every call.
    """
    over = _hit(f"{scope}:client", client_key(request), limit=per_client[0], period=per_client[1])
    if email:
        over |= _hit(
            f"{scope}:email", normalise_email(email), limit=per_email[0], period=per_email[1]
        )
    if over:
        raise RateLimited(scope)


def pow_passed(request: HttpRequest, *, scope: str) -> bool:
    """Whether the form came with a solved, fresh, unused proof of work for ``scope``.

    The browser fills the ``pow`` field (core/pow_field.html and core/pow.js).
    False means "not solved", for whatever reason: a visitor without
    JavaScript or with an old browser sends the field empty, a replayed or
    forged answer fails too. The view decides what follows; the policy is
    not to refuse such a visitor, who may have good reasons to browse without
    JavaScript, but to hold them to a stricter rate limit than one who passed.
    Each solution passes once.
    """
    from convoca.core.pow import pow_verify

    return pow_verify(request.POST.get("pow", ""), scope=scope)


def form_throttle(request: HttpRequest, *, scope: str, email: str = "") -> None:
    """Apply a public form's rate limits, the stricter ones when no proof of work came with it.

    ``settings.CONVOCA_RATE_LIMITS`` holds ``scope`` (for a browser that
    solved the proof of work) and ``f"{scope}-without-pow"``. Raises
    :class:`RateLimited`. The proof of work is checked for ``scope``.
    """
    limits = settings.CONVOCA_RATE_LIMITS[
        scope if pow_passed(request, scope=scope) else f"{scope}-without-pow"
    ]
    rate_limit(request, scope=scope, email=email, **limits)


# --- Staff sign-in: failures are counted, successes never ------------------------------


@dataclass(frozen=True)
class SignInGate:
    """What a sign-in attempt from this client for this account must get past.

    ``needs_long_pow``: this client failed too often on this account (its own
    failures, nobody else's), so an attempt on it must carry a long proof of
    work (``CONVOCA_SIGN_IN_ACCOUNT_POW_MAX_NUMBER``, seconds in a browser):
    guessing slows to a crawl, and the person whose account it is, behind the
    same address as the guesser, still gets in. ``needs_pow``: this client
    failed too often on any accounts, so the form carries a proof of work, and
    an attempt without a solved one is not checked.
    """

    needs_long_pow: bool
    needs_pow: bool


_CLIENT_ACCOUNT = "sign-in:client-account"
_CLIENT = "sign-in:client"


def _sign_in_counters(request: HttpRequest, account: str) -> list[tuple[str, str, int, int]]:
    """(scope, key, limit, period) of the two counters an attempt moves."""
    limits = settings.CONVOCA_SIGN_IN_LIMITS
    client = client_key(request)
    account = unicodedata.normalize("NFKC", account).strip().casefold()
    return [
        (_CLIENT_ACCOUNT, f"{client}\n{account}", *limits["failures_per_client_and_account"]),
        (_CLIENT, client, *limits["failures_per_client_before_pow"]),
    ]


def sign_in_gate(request: HttpRequest, *, account: str = "") -> SignInGate:
    """Read, without counting anything, what this client's failed sign-ins ask of its next try.

    Only failures from this client count: a correct password is never
    refused because other addresses guessed at the same account, and a team
    behind one address may sign in as often as it likes. Limits:
    ``settings.CONVOCA_SIGN_IN_LIMITS``.
    """
    (ca_scope, ca_key, ca_limit, ca_period), (c_scope, c_key, c_limit, c_period) = (
        _sign_in_counters(request, account)
    )
    failures = cache.get(_window_key(ca_scope, ca_key, ca_period)) or 0
    return SignInGate(
        needs_long_pow=bool(account) and failures >= ca_limit,
        needs_pow=(cache.get(_window_key(c_scope, c_key, c_period)) or 0) >= c_limit,
    )


def sign_in_attempt_start(request: HttpRequest, *, account: str) -> SignInGate:
    """Count an attempt as a failure before its password is checked, and say what it must pass.

    Counted first, so that guesses sent in parallel cannot all pass the
    check before any is counted: each gets its own place in the count.
    Whatever is not a failure (the right password, an attempt turned back
    unchecked) is taken back with :func:`sign_in_attempt_forgive`.
    """
    (ca_scope, ca_key, ca_limit, ca_period), (c_scope, c_key, c_limit, c_period) = (
        _sign_in_counters(request, account)
    )
    return SignInGate(
        needs_long_pow=_hit(ca_scope, ca_key, limit=ca_limit, period=ca_period),
        needs_pow=_hit(c_scope, c_key, limit=c_limit, period=c_period),
    )


def sign_in_attempt_forgive(request: HttpRequest, *, account: str) -> None:
    """Take back an attempt counted by :func:`sign_in_attempt_start`: it was no failure."""
    for scope, key, _limit, period in _sign_in_counters(request, account):
        # ValueError: the window ended meanwhile, and there is nothing left to take back.
        with contextlib.suppress(ValueError):
            cache.decr(_window_key(scope, key, period))


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def request_is_cross_site(request: HttpRequest) -> bool:
    """Whether a browser sent this request from a page of another site (a forged request).

    Cookie-free protection against cross-site request forgery, for public
    forms that are served from the page cache (no per-visitor token) and
    inside partners' frames (where third-party cookies are blocked). What a
    browser says cannot be set by a page: ``Sec-Fetch-Site`` (every current
    browser) must be ``same-origin`` or ``none`` (typed by the visitor);
    without it, an ``Origin`` (sent on every POST by browsers for years)
    must be this site's. A request with neither did not come from a
    browser that a page could steer, and is let through, as Go's
    ``http.CrossOriginProtection`` does; the rate limits and the proof of
    work are the defence against scripts. Origins in
    ``CSRF_TRUSTED_ORIGINS`` pass, as with Django's own check.
    """
    if request.method in _SAFE_METHODS:
        return False
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site in ("same-origin", "none"):
        return False
    origin = request.META.get("HTTP_ORIGIN")
    if fetch_site is None and origin is None:
        return False
    return not (
        origin
        and (
            origin in settings.CSRF_TRUSTED_ORIGINS
            or origin == f"{request.scheme}://{request.get_host()}"
        )
    )


def cross_site_refused(view):
    """Answer a forged cross-site POST to ``view`` with the CSRF failure page (403).

    For views that are ``csrf_exempt`` because they must work without a
    cookie; see :func:`request_is_cross_site`.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request_is_cross_site(request):
            failure = get_callable(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason="cross-site request refused")
        return view(request, *args, **kwargs)

    return wrapped
