"""Public pages of actions: the page with its form, signing, thanks, confirmation."""

from functools import lru_cache

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from convoca.actions.forms import SignatureForm, pledge_answers, signature_form_clean
from convoca.actions.models import Signature
from convoca.actions.selectors import (
    action_figures,
    action_get_for_signing,
    action_get_public,
    action_list_open,
    action_versions,
    endorsement_list_public,
    round_down_nicely,
    signature_list_featured,
    signature_list_public,
)
from convoca.actions.services import (
    ActionClosed,
    EndorsementData,
    PledgeKeyMissing,
    SignatureData,
    pledge_answers_seal,
    signature_confirm,
    signature_confirm_token_read,
    signature_intake_create,
)
from convoca.core.antibot import RateLimited, cross_site_refused, pow_passed, rate_limit
from convoca.core.caching import public_page, public_page_scope
from convoca.core.links import LinkExpired, link_problem
from convoca.core.markdown import markdown_render
from convoca.core.views import too_many_requests
from convoca.people.services import PersonData


def action_get_or_404(request, slug):
    action = action_get_public(language=request.LANGUAGE_CODE, slug=slug)
    if action is None:
        raise Http404
    return action


def source_clean(value: str) -> str:
    """A partner's attribution code from ``?source=``: short, letters, digits and dashes."""
    value = value.strip()[:64]
    return value if value.replace("-", "").replace("_", "").isalnum() else ""


def action_context(request, action, form=None) -> dict:
    figures = action_figures(action)
    endorsements = endorsement_list_public(action) if action.is_endorsement else []
    return {
        "action": action,
        "body": markdown_render(action.body),
        "figures": figures,
        "members_round": round_down_nicely(figures.members_represented),
        "form": form or SignatureForm(action=action),
        "source": source_clean(request.GET.get("source", "")),
        "featured": signature_list_featured(action),
        "signers": signature_list_public(action)[:25],
        "endorsements": endorsements,
        "endorsement_count": sum(len(group) for _country, group in endorsements),
    }


@public_page
@require_safe
def action_list(request):
    return render(
        request,
        "actions/action_list.html",
        {"actions": action_list_open(language=request.LANGUAGE_CODE)},
    )


@public_page
@require_safe
def action_detail(request, slug):
    action = action_get_or_404(request, slug)
    if action.is_targeted:  # a letter has its own page (convoca.letters)
        return HttpResponseRedirect(action.get_absolute_url())
    # Before the figures are read: the cached page then never shows an older count
    # than the confirmation page (which reads them afresh).
    public_page_scope(request, "action", action.translation_key)
    versions = action_versions(action)
    context = {
        **action_context(request, action),
        "alternates": versions,
        "hreflang": versions,
        "og_image_url": action.og_image.url if action.og_image else "",
    }
    return render(request, "actions/action_detail.html", context)


@method_decorator(csrf_exempt, name="dispatch")  # no cookie needed; see docs/architecture.md
@method_decorator(cross_site_refused, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ActionSignView(View):
    """POST only: validate, check for bots, sign, and send the visitor to the thank-you page.

    The hot path of the site (docs/benchmarks.md): the form is checked with
    fields built once per process, the submission stored with one INSERT,
    and the thank-you address remembered.
    """

    def post(self, request, slug):
        action = action_get_for_signing(language=request.LANGUAGE_CODE, slug=slug)
        if action is None or action.is_targeted:  # a letter is sent from its own page
            raise Http404
        clean = None if action.is_endorsement else signature_form_clean(request.POST, action=action)
        if clean is None:
            form = SignatureForm(request.POST, request.FILES, action=action)
            if not form.is_valid():
                return render(
                    request,
                    "actions/action_detail.html",
                    action_context(request, action, form),
                    status=400,
                )
            clean = form.cleaned_data, form.consents()
        data, consents = clean
        limits = settings.CONVOCA_RATE_LIMITS[
            "sign" if pow_passed(request, scope="sign") else "sign-without-pow"
        ]
        try:
            rate_limit(request, scope="sign", email=data["email"], **limits)
        except RateLimited:
            return too_many_requests(request)
        endorsement = None
        if action.is_endorsement:
            endorsement = EndorsementData(
                name=data["endorser_name"],
                country=data["endorser_country"],
                website=data.get("endorser_website", ""),
                logo=data.get("endorser_logo"),
            )
        try:
            # Sealed here, before anything is stored or queued (core.sealing).
            answers = pledge_answers_seal(action=action, answers=pledge_answers(data))
            signature_intake_create(
                action=action,
                data=SignatureData(
                    person=PersonData(
                        email=data["email"],
                        given_name=data["given_name"],
                        family_name=data.get("family_name", ""),
                        phone=data.get("phone", ""),
                        city=data.get("city", ""),
                        postal_code=data.get("postal_code", ""),
                        country=data["country"],
                        language=request.LANGUAGE_CODE,
                    ),
                    organisation_name=data.get("organisation_name", ""),
                    role=data.get("role", ""),
                    comment=data.get("comment", ""),
                    members_represented=data.get("members_represented"),
                    visibility=data.get("visibility") or Signature.Visibility.HIDDEN,
                    source=source_clean(request.POST.get("source", "")),
                    consents=consents,
                    form=f"actions:{action.slug}",
                    endorsement=endorsement,
                    answers=answers,
                ),
            )
        except (ActionClosed, PledgeKeyMissing):
            return render(request, "actions/action_closed.html", {"action": action}, status=409)
        return HttpResponseRedirect(_thanks_url(request.LANGUAGE_CODE, action.slug))


@lru_cache(maxsize=1024)
def _thanks_url(language: str, slug: str) -> str:
    """The thank-you page's address, in the active language (``language`` is the key)."""
    return reverse("actions:action-thanks", kwargs={"slug": slug})


@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def action_thanks(request, slug):
    action = action_get_or_404(request, slug)
    return render(
        request,
        "actions/action_thanks.html",
        {
            "action": action,
            "thank_you": markdown_render(action.thank_you),
            "share_url": request.build_absolute_uri(action.get_absolute_url()),
        },
    )


@public_page
@require_safe
def action_signers(request, slug):
    action = action_get_or_404(request, slug)
    public_page_scope(request, "action", action.translation_key)
    page = Paginator(signature_list_public(action), 100).get_page(request.GET.get("page"))
    return render(request, "actions/action_signers.html", {"action": action, "page": page})


@method_decorator(never_cache, name="dispatch")
class SignatureConfirmView(View):
    """The link in the confirmation email. GET shows a button; mail scanners follow links."""

    def _read(self, request, token):
        """The signature, or the page that says why the link does not work."""
        try:
            signature = signature_confirm_token_read(token)
        except LinkExpired:
            signature, expired = None, True
        else:
            expired = False
        if signature is not None:
            return signature, None
        return None, link_problem(
            request,
            expired=expired,
            resend_url=reverse("actions:signature-confirm-resend"),
            expired_text=_("Confirmation links work for 30 days, and this one is older."),
        )

    def get(self, request, token):
        signature, problem = self._read(request, token)
        if signature is None:
            return problem
        return render(
            request,
            "actions/signature_confirm.html",
            {
                "signature": signature,
                "action": signature.action,
                "done": signature.confirmed_at is not None,
            },
        )

    def post(self, request, token):
        signature, problem = self._read(request, token)
        if signature is None:
            return problem
        signature_confirm(signature=signature)
        return render(
            request,
            "actions/signature_confirm.html",
            {
                "signature": signature,
                "action": signature.action,
                "done": True,
                "message": _("Thank you: your signature is confirmed and counted."),
                "figures": action_figures(signature.action),
            },
        )
