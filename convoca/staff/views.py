"""The second sign-in step, enrolling second factors, and the member's own security page.

Served inside the organiser interface (``admin/account/...``, see
``staff.admin_site``). The second step and enrolling are reachable with a
password alone (that is their purpose), and nothing else is: enrolling only
while the member has no factor yet, or has used one in this session, so a
stolen password cannot add the thief's own app.
"""

import uuid
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp.models import Device

from convoca.staff import selectors, services
from convoca.staff.forms import AuthenticatorAppConfirmForm, PasskeyAddForm, SecondFactorCodeForm
from convoca.staff.models import AuthenticatorApp
from convoca.staff.selectors import SecondFactorState


def next_in_admin(request, target: str | None = None) -> str:
    """Where to go once signed in: ``next`` when it is an existing admin page, else the index."""
    index = reverse("admin:index")
    target = target if target is not None else request.POST.get("next") or request.GET.get("next")
    if not target or not (
        url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(index)
    ):
        return index
    try:
        match = resolve(target.split("?", 1)[0])
    except Resolver404:
        return index
    return target if match.url_name else index  # the admin's unnamed catch-all is a 404


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def staff_signed_in(view):
    """Let through a signed-in staff member, verified or not; send anyone else to sign in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _page(request, admin_site, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {**admin_site.each_context(request), "title": title, **context},
    )


def _after_enrolment(request, admin_site, next_url: str):
    """Show a new set of recovery codes when the member has none yet; else go on."""
    if selectors.recovery_codes_left(request.user) is None:
        codes = services.recovery_codes_create(user=request.user)
        return _page(
            request,
            admin_site,
            "staff/recovery_codes.html",
            _("Your recovery codes"),
            codes=codes,
            next=next_url,
        )
    messages.success(request, _("Your second factor is ready."))
    return redirect(next_url)


@staff_signed_in
def second_factor_verify_view(request, admin_site):
    """Ask for the second factor: a code (no JavaScript needed) or a passkey."""
    next_url = next_in_admin(request)
    state = selectors.second_factor_state(request.user)
    if state == SecondFactorState.ENROL:
        return redirect(with_next("admin:staff-app-add", next_url))
    if state == SecondFactorState.OK:
        return redirect(next_url)
    form = SecondFactorCodeForm(request.POST if "code" in request.POST else None)
    passkey_error = ""
    if request.method == "POST":
        if "credential" in request.POST:
            if services.passkey_verify(
                request=request, credential_json=request.POST["credential"][:20_000]
            ):
                return redirect(next_url)
            passkey_error = _("The passkey was not accepted. Try again, or enter a code.")
        elif form.is_valid():
            if services.second_factor_verify_code(request=request, code=form.cleaned_data["code"]):
                return redirect(next_url)
            form.add_error(
                "code",
                _(
                    "That code was not accepted. Codes from an app change every 30 seconds and "
                    "each works once; a recovery code works once."
                ),
            )
    return _page(
        request,
        admin_site,
        "staff/second_factor_verify.html",
        _("Second step of signing in"),
        form=form,
        next=next_url,
        passkey_options=services.passkey_authentication_options(request=request),
        passkey_error=passkey_error,
    )


def _may_enrol(request):
    """None when the member may add a factor now; else where to send them."""
    state = selectors.second_factor_state(request.user)
    if state == SecondFactorState.VERIFY:
        return redirect(with_next("admin:staff-second-factor", next_in_admin(request)))
    return None


@staff_signed_in
def authenticator_app_add_view(request, admin_site):
    """Add an authenticator app: scan the QR code (or type the key), then type a code."""
    if (refused := _may_enrol(request)) is not None:
        return refused
    next_url = next_in_admin(request)
    device = None
    if request.method == "POST":
        device = AuthenticatorApp.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        form = AuthenticatorAppConfirmForm()
        device = services.authenticator_app_begin(user=request.user)
    else:
        form = AuthenticatorAppConfirmForm(request.POST)
        if form.is_valid():
            if services.authenticator_app_confirm(
                request=request,
                device=device,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            ):
                return _after_enrolment(request, admin_site, next_url)
            form.add_error(
                "code",
                _(
                    "That code does not match. Check that the app shows the code for this site "
                    "and that your phone's clock is right, then type the current code."
                ),
            )
    return _page(
        request,
        admin_site,
        "staff/authenticator_app_add.html",
        _("Add an authenticator app"),
        form=form,
        qr_svg=services.authenticator_app_qr_svg(device),
        secret=services.authenticator_app_secret(device),
        next=next_url,
        must_enrol=selectors.second_factor_state(request.user) == SecondFactorState.ENROL,
    )


@staff_signed_in
def passkey_add_view(request, admin_site):
    """Register a passkey or security key (the browser's WebAuthn needs JavaScript)."""
    if (refused := _may_enrol(request)) is not None:
        return refused
    next_url = next_in_admin(request)
    form = PasskeyAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.passkey_register(
                request=request,
                credential_json=form.cleaned_data["credential"],
                name=form.cleaned_data["name"],
            )
        except services.PasskeyRefused:
            form.add_error(None, _("The passkey could not be added. Try again."))
        else:
            return _after_enrolment(request, admin_site, next_url)
    return _page(
        request,
        admin_site,
        "staff/passkey_add.html",
        _("Add a passkey"),
        form=form,
        passkey_options=services.passkey_registration_options(request=request),
        next=next_url,
    )


# --- The member's security page (verified sessions only: wrapped by admin_view) ------------


def account_view(request, admin_site):
    """The member's second factors and signed-in sessions, with what they can do about them."""
    user = request.user
    return _page(
        request,
        admin_site,
        "staff/account.html",
        _("Sign-in and sessions"),
        apps=selectors.authenticator_app_list(user),
        passkeys=selectors.passkey_list(user),
        recovery_codes_left=selectors.recovery_codes_left(user),
        sessions=selectors.staff_session_list(user),
        current_session=services.staff_session_current_id(request),
        required=selectors.second_factor_required(user),
    )


def recovery_codes_view(request, admin_site):
    """Make a new set of recovery codes and show it, once."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not selectors.user_has_second_factor(request.user):
        messages.error(request, _("Add an authenticator app or a passkey first."))
        return redirect("admin:staff-account")
    return _page(
        request,
        admin_site,
        "staff/recovery_codes.html",
        _("Your recovery codes"),
        codes=services.recovery_codes_create(user=request.user),
        next=reverse("admin:staff-account"),
    )


def second_factor_remove_view(request, admin_site, device_id: str):
    """Remove one of the member's own apps or passkeys."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    device = Device.from_persistent_id(device_id)
    if device is None or device.user_id != request.user.pk or not device.confirmed:
        raise Http404
    try:
        services.second_factor_remove(user=request.user, device=device)
    except services.SecondFactorNeeded:
        messages.error(
            request,
            _("A second factor is required of your account: add another before removing this one."),
        )
    except ValueError as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Removed “%(name)s”.") % {"name": device.name})
    return redirect("admin:staff-account")


def staff_session_end_view(request, admin_site, session_id: str):
    """Sign out one session of the member's, every other one, or every one."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    current = services.staff_session_current_id(request)
    if session_id not in ("others", "all"):
        try:
            session_id = str(uuid.UUID(session_id))
        except ValueError as exc:
            raise Http404 from exc
    if session_id in ("others", "all"):
        keep = current if session_id == "others" else None
        services.staff_sessions_end_all(member=request.user, by=request.user, keep=keep)
        if keep is None:
            return redirect("admin:login")  # this one too: the next request signs it out
        messages.success(request, _("Your other sessions are signed out."))
    elif services.staff_session_end(user=request.user, session_id=session_id):
        if session_id == current:
            return redirect("admin:login")
        messages.success(request, _("That session is signed out."))
    else:
        raise Http404
    return redirect("admin:staff-account")
