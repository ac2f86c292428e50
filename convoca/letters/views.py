"""Public pages of letters: find one's decision-makers, write and sign, send it oneself, results."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_countries import countries

from convoca.actions.models import Action, Signature
from convoca.actions.selectors import (
    action_figures,
    action_get_for_signing,
    action_get_public,
    action_versions,
)
from convoca.actions.services import ActionClosed, SignatureData
from convoca.actions.views import source_clean
from convoca.core.antibot import RateLimited, cross_site_refused, pow_passed, rate_limit
from convoca.core.caching import public_page, public_page_scope
from convoca.core.framing import frameable
from convoca.core.markdown import markdown_render
from convoca.core.views import too_many_requests
from convoca.letters.forms import LetterForm, PlaceForm
from convoca.letters.selectors import (
    letter_campaign_for_action,
    letter_results,
    letter_targets_lookup,
    letter_text_for,
)
from convoca.letters.services import LetterData, letter_create
from convoca.people.services import PersonData

PLACE_FIELDS = ("country", "postal_code", "region")


def _letter_or_404(request, slug, *, for_signing=False):
    """The letter action of this address in this language, and its campaign; else 404."""
    get = action_get_for_signing if for_signing else action_get_public
    action = get(language=request.LANGUAGE_CODE, slug=slug)
    if action is None or not action.is_targeted:
        raise Http404
    campaign = letter_campaign_for_action(action)
    if campaign is None:
        raise Http404
    return action, campaign


def _letter_form(action, campaign, lookup, data=None, initial=None):
    text = letter_text_for(campaign, action.language)
    form = LetterForm(
        data,
        action=action,
        selectable=lookup.selectable,
        pinned=lookup.pinned,
        editable_text=text.editable_text if text else "",
        initial=initial,
    )
    for name in PLACE_FIELDS:  # chosen in step one; "change" goes back there
        form.fields[name].widget = forms.HiddenInput()
    return form


def _context(request, action, campaign, **extra) -> dict:
    return {
        "action": action,
        "campaign": campaign,
        "body": markdown_render(action.body),
        "figures": action_figures(action),
        "results": letter_results(campaign),
        "text": letter_text_for(campaign, action.language),
        "source": source_clean(request.GET.get("source", "")),
        **extra,
    }


@require_safe
def letter_detail(request, slug):
    """Step one (where do you live?) and, once a place is given, step two (the letter).

    Both are GET pages, the same for everyone who gives the same place, so
    the lookup works without JavaScript and without a session.
    """
    action, campaign = _letter_or_404(request, slug)
    versions = action_versions(action)
    context = _context(request, action, campaign, alternates=versions, hreflang=versions)
    has_bodies = campaign.bodies.exists()
    if "country" in request.GET or not has_bodies:
        place = PlaceForm(request.GET if "country" in request.GET else None)
        if place.is_bound and not place.is_valid():
            context["place_form"] = place
        else:
            values = place.cleaned_data if place.is_bound else {}
            lookup = letter_targets_lookup(campaign=campaign, **values)
            initial = {**values, "targets": [t.pk for t in lookup.found]}
            context.update(
                lookup=lookup,
                place=values,
                country_name=countries.name(values.get("country", "")),
                form=_letter_form(action, campaign, lookup, initial=initial),
            )
    else:
        context["place_form"] = PlaceForm()
    return render(request, "letters/letter_detail.html", context)


@method_decorator(csrf_exempt, name="dispatch")  # as ActionSignView: see docs/architecture.md
@method_decorator(cross_site_refused, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class LetterSendView(View):
    """POST only: check the letter and the signer, sign, and show what happens next.

    The answer is rendered from what this request sent (never from what was
    stored before), so it tells nobody whether an address had written.
    """

    def post(self, request, slug):
        action, campaign = _letter_or_404(request, slug, for_signing=True)
        place = PlaceForm(request.POST)
        values = place.cleaned_data if place.is_valid() else {}
        lookup = letter_targets_lookup(campaign=campaign, **values)
        form = _letter_form(action, campaign, lookup, data=request.POST)
        if not form.is_valid():
            context = _context(
                request,
                action,
                campaign,
                lookup=lookup,
                place=values,
                country_name=countries.name(values.get("country", "")),
                form=form,
            )
            return render(request, "letters/letter_detail.html", context, status=400)
        data = form.cleaned_data
        limits = settings.CONVOCA_RATE_LIMITS[
            "sign" if pow_passed(request, scope="sign") else "sign-without-pow"
        ]
        try:
            rate_limit(request, scope="sign", email=data["email"], **limits)
        except RateLimited:
            return too_many_requests(request)
        targets = form.targets()
        letter = LetterData(
            text=data["text"],
            targets=targets,
            locality=form.locality(),
            show_email=data["show_email"],
            reply_to=data["reply_to"],
        )
        try:
            letter_create(
                action=action,
                signature_data=SignatureData(
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
                    consents=form.consents(),
                    form=f"actions:{action.slug}",
                ),
                data=letter,
            )
        except ActionClosed:
            return render(request, "actions/action_closed.html", {"action": action}, status=409)
        text = letter_text_for(campaign, action.language)
        name = " ".join(p for p in (data["given_name"], data.get("family_name", "")) if p)
        return render(
            request,
            "letters/letter_sent.html",
            {
                "action": action,
                "subject": text.subject if text else action.title,
                "by_email": [t for t in targets if t.reachable_by_email],
                "by_writer": [
                    {"target": t, "letter": _filled(t, data["text"], text, name, letter.locality)}
                    for t in targets
                    if not t.reachable_by_email
                ],
                "share_url": request.build_absolute_uri(action.get_absolute_url()),
            },
        )


def _filled(target, words: str, text, name: str, locality: str) -> str:
    """The whole letter to one target, as the writer pastes it into a web form."""
    from django.utils.translation import gettext as _

    parts = [_("Dear %(who)s,") % {"who": target}, words]
    if text and text.fixed_text:
        parts.append(text.fixed_text)
    parts.append("\n".join(p for p in (name, locality) if p))
    return "\n\n".join(parts)


@public_page
@require_safe
def letter_results_view(request, slug):
    """The public results: how many letters to how many decision-makers, and to whom."""
    action, campaign = _letter_or_404(request, slug)
    public_page_scope(request, "action", action.translation_key)
    versions = {}
    for version in Action.objects.filter(shared_id=action.shared_id).exclude(
        shared__status=Action.Status.DRAFT
    ):
        with translation.override(version.language):
            versions[version.language] = reverse(
                "letters:letter-results", kwargs={"slug": version.slug}
            )
    context = _context(request, action, campaign, alternates=versions, hreflang=versions)
    return render(request, "letters/letter_results.html", context)


@frameable
@public_page
@require_safe
def letter_embed(request, slug):
    """The letter's title, figures and step one, for a frame on a partner's page.

    Step one opens the letter's own page in a new tab: the letter itself is
    written there.
    """
    action, campaign = _letter_or_404(request, slug)
    public_page_scope(request, "action", action.translation_key)
    context = _context(
        request,
        action,
        campaign,
        place_form=PlaceForm(),
        action_url=request.build_absolute_uri(action.get_absolute_url()),
    )
    return render(request, "letters/letter_embed.html", context)
