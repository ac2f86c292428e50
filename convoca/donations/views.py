"""Public pages of fundraisers: the page with its form, giving, thanks, managing, webhooks."""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from convoca.core.antibot import RateLimited, cross_site_refused, pow_passed, rate_limit
from convoca.core.caching import public_page
from convoca.core.mail import absolute_url
from convoca.core.markdown import markdown_render
from convoca.core.views import too_many_requests
from convoca.donations.forms import DonationForm
from convoca.donations.providers import (
    ProviderError,
    SignatureInvalid,
    provider_get,
    provider_online,
)
from convoca.donations.selectors import (
    donation_get_for_thanks,
    donor_list_public,
    fundraiser_figures,
    fundraiser_get_public,
    fundraiser_list_public,
)
from convoca.donations.services import (
    DonationData,
    FundraiserClosed,
    GiftInvalid,
    donation_manage_token_read,
    donation_manage_url,
    donation_start,
    webhook_event_apply,
)
from convoca.people.services import PersonData

logger = logging.getLogger(__name__)


def _with_checkout_csp(response):
    """Let the donate form's submission be redirected to the provider's checkout page.

    Browsers apply ``form-action`` to where a form's response redirects, too.
    """
    response._csp_config = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], *settings.CONVOCA_CHECKOUT_ORIGINS],
    }
    return response


def fundraiser_get_or_404(slug):
    fundraiser = fundraiser_get_public(slug=slug)
    if fundraiser is None:
        raise Http404
    return fundraiser


def fundraiser_context(fundraiser, form=None, message="") -> dict:
    return {
        "fundraiser": fundraiser,
        "body": markdown_render(fundraiser.body),
        "figures": fundraiser_figures(fundraiser),
        "donors": donor_list_public(fundraiser),
        "online": provider_online() is not None,
        "form": form or DonationForm(fundraiser=fundraiser),
        "message": message,
    }


@public_page
@require_safe
def fundraiser_list(request):
    return render(
        request, "donations/fundraiser_list.html", {"fundraisers": fundraiser_list_public()}
    )


@public_page
@require_safe
def _fundraiser_detail(request, slug):
    fundraiser = fundraiser_get_or_404(slug)
    return render(request, "donations/fundraiser_detail.html", fundraiser_context(fundraiser))


def fundraiser_detail(request, slug):
    return _with_checkout_csp(_fundraiser_detail(request, slug))


@method_decorator(csrf_exempt, name="dispatch")  # anonymous, no session, as signing
@method_decorator(never_cache, name="dispatch")
@method_decorator(cross_site_refused, name="dispatch")
class DonationStartView(View):
    """POST only: validate, check for bots, record the pending gift, go to the checkout."""

    def post(self, request, slug):
        fundraiser = fundraiser_get_or_404(slug)
        provider = provider_online()
        if provider is None or not fundraiser.is_open:
            return self._again(fundraiser, None, status=409)
        form = DonationForm(request.POST, fundraiser=fundraiser)
        if not form.is_valid():
            return self._again(fundraiser, form, status=400)
        data = form.cleaned_data
        limits = settings.CONVOCA_RATE_LIMITS[
            "donate" if pow_passed(request, scope="donate") else "donate-without-pow"
        ]
        try:
            rate_limit(request, scope="donate", email=data["email"], **limits)
        except RateLimited:
            return too_many_requests(request)
        thanks = absolute_url(reverse("donations:donation-thanks", kwargs={"slug": slug}))
        try:
            start = donation_start(
                fundraiser=fundraiser,
                provider=provider,
                data=DonationData(
                    person=PersonData(
                        email=data["email"],
                        given_name=data["given_name"],
                        family_name=data.get("family_name", ""),
                        language=request.LANGUAGE_CODE,
                    ),
                    amount=data["amount"],
                    frequency=data["frequency"],
                    public_name=data.get("public_name", ""),
                    listed=bool(data.get("listed")),
                    listed_wording=form.listed_wording(),
                    news=bool(data.get("news")),
                    news_wording=form.news_wording(),
                    form=f"donations:{fundraiser.slug}",
                ),
                success_url=thanks,
                cancel_url=absolute_url(fundraiser.get_absolute_url()),
            )
        except FundraiserClosed:
            return self._again(fundraiser, None, status=409)
        except GiftInvalid:
            return self._again(fundraiser, form, status=400)
        except ProviderError:
            logger.warning("checkout could not be opened", extra={"fundraiser": fundraiser.pk})
            return self._again(
                fundraiser,
                form,
                status=503,
                message=_(
                    "We could not reach the payment service. Nothing was charged. "
                    "Please try again in a few minutes."
                ),
            )
        # 303: the browser follows with a GET to the hosted checkout page.
        return HttpResponseRedirect(start.url, status=303)

    def _again(self, fundraiser, form, *, status, message=""):
        return _with_checkout_csp(
            render(
                self.request,
                "donations/fundraiser_detail.html",
                fundraiser_context(fundraiser, form, message),
                status=status,
            )
        )


@never_cache
@require_safe
def donation_thanks(request, slug):
    """Where the provider sends the visitor back. Nothing in the address is believed.

    The ``session_id`` only finds our own record of a checkout on this
    fundraiser; whether it was paid is what the provider's signed event told
    us, and the page shows nothing personal.
    """
    fundraiser = fundraiser_get_or_404(slug)
    donation = donation_get_for_thanks(
        fundraiser=fundraiser, reference=request.GET.get("session_id", "")
    )
    if donation is None:
        state = "unknown"
    elif donation.status in ("paid", "refunded", "active", "past_due", "cancelled"):
        state = "received"
    elif donation.status in ("failed", "expired"):
        state = "failed"
    else:
        state = "waiting"
    return render(
        request,
        "donations/donation_thanks.html",
        {
            "fundraiser": fundraiser,
            "state": state,
            "donation": donation if state != "unknown" else None,
            "thank_you": markdown_render(fundraiser.thank_you),
            "figures": fundraiser_figures(fundraiser),
        },
        status=404 if state == "unknown" else 200,
    )


@method_decorator(never_cache, name="dispatch")
class DonationManageView(View):
    """The link in a monthly donor's receipt. GET shows a button (mail scanners follow links)."""

    def get(self, request, token):
        donation = donation_manage_token_read(token)
        if donation is None:
            return render(request, "donations/donation_manage_invalid.html", status=400)
        return render(request, "donations/donation_manage.html", {"donation": donation})

    def post(self, request, token):
        donation = donation_manage_token_read(token)
        provider = provider_get(donation.provider) if donation else None
        if donation is None or provider is None:
            return render(request, "donations/donation_manage_invalid.html", status=400)
        try:
            url = donation_manage_url(
                donation=donation,
                provider=provider,
                return_url=absolute_url(donation.fundraiser.get_absolute_url()),
            )
        except ProviderError:
            return render(
                request,
                "donations/donation_manage.html",
                {
                    "donation": donation,
                    "message": _("We could not reach the payment service. Please try again later."),
                },
                status=503,
            )
        return HttpResponseRedirect(url, status=303)


@csrf_exempt
@require_POST
def webhook_receive(request, provider_name):
    """Events from a payment provider, verified over the raw body, applied exactly once.

    400 for a body that is not provably from the provider (it will not be
    retried in vain: Stripe shows the failure); 5xx when we could not apply
    it, so the provider sends it again.
    """
    provider = provider_get(provider_name)
    if provider is None or not provider.is_configured():
        raise Http404
    try:
        event = provider.event_parse(body=request.body, headers=request.headers)
    except SignatureInvalid:
        return HttpResponse("invalid signature", status=400, content_type="text/plain")
    except ProviderError:
        return HttpResponse("provider unavailable", status=503, content_type="text/plain")
    try:
        outcome = webhook_event_apply(provider=provider, event=event)
    except ProviderError:
        return HttpResponse("provider unavailable", status=503, content_type="text/plain")
    except Exception:
        logger.exception("webhook event could not be applied", extra={"event": event.id})
        return HttpResponse("not applied", status=500, content_type="text/plain")
    return HttpResponse(outcome, status=200, content_type="text/plain")
