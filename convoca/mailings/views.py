"""Public pages of mailings: subscribe, confirm, preferences, one-click unsubscribe."""

import base64
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from convoca.core.antibot import RateLimited, cross_site_refused, rate_limit
from convoca.core.caching import public_page
from convoca.core.framing import frameable
from convoca.core.links import LinkExpired, link_problem
from convoca.core.views import too_many_requests
from convoca.mailings.forms import PreferencesForm, SubscribeForm
from convoca.mailings.models import Mailing, MailingList, Subscription
from convoca.mailings.selectors import (
    mailing_list_get_public,
    mailing_list_public,
    subscription_list_for_person,
)
from convoca.mailings.services import (
    delivery_open_record,
    person_unsubscribe_all,
    preferences_save,
    subscription_confirm,
    subscription_list_waiting,
    subscription_request,
    unsubscribe_one_click,
)
from convoca.mailings.tokens import (
    open_token_read,
    preferences_token_make,
    preferences_token_read,
    subscription_confirm_token_read,
    unsubscribe_token_read,
)
from convoca.people.models import Person

# A transparent 1x1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@public_page
@require_safe
def mailing_list_list(request):
    return render(request, "mailings/mailinglist_list.html", {"lists": mailing_list_public()})


def _list_or_404(slug) -> MailingList:
    mailing_list = mailing_list_get_public(slug=slug)
    if mailing_list is None:
        raise Http404
    return mailing_list


@method_decorator(csrf_exempt, name="dispatch")  # anonymous, no session; also embedded
@method_decorator(never_cache, name="dispatch")
@method_decorator(cross_site_refused, name="dispatch")
class MailingListSubscribeView(View):
    """The subscribe page of a public list; POST starts double opt-in."""

    template = "mailings/mailinglist_subscribe.html"
    thanks = "mailings:subscription-thanks"

    def get(self, request, slug):
        mailing_list = _list_or_404(slug)
        return render(request, self.template, {"list": mailing_list, "form": SubscribeForm()})

    def post(self, request, slug):
        mailing_list = _list_or_404(slug)
        form = SubscribeForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"list": mailing_list, "form": form}, status=400)
        try:
            rate_limit(
                request,
                scope="subscribe",
                email=form.cleaned_data["email"],
                **settings.CONVOCA_RATE_LIMITS["subscribe"],
            )
        except RateLimited:
            return too_many_requests(request)
        subscription_request(
            mailing_list=mailing_list,
            email=form.cleaned_data["email"],
            given_name=form.cleaned_data["given_name"],
            language=request.LANGUAGE_CODE,
            source=f"mailings:{mailing_list.slug}",
        )
        return redirect(reverse(self.thanks, kwargs={"slug": mailing_list.slug}))


class MailingListEmbedView(MailingListSubscribeView):
    """The same form, alone on a page partner sites may show in a frame."""

    template = "mailings/mailinglist_embed.html"
    thanks = "mailings:subscription-embed-thanks"


mailing_list_embed = frameable(MailingListEmbedView.as_view())


@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def subscription_thanks(request, slug):
    return render(request, "mailings/subscription_thanks.html", {"list": _list_or_404(slug)})


@frameable
@never_cache
@require_safe
def subscription_embed_thanks(request, slug):
    return render(request, "mailings/subscription_embed_thanks.html", {"list": _list_or_404(slug)})


@method_decorator(never_cache, name="dispatch")
class SubscriptionConfirmView(View):
    """The link in the confirmation email. GET shows a button; mail scanners follow links."""

    def _read(self, request, token):
        """The person, or the page that says why the link does not work."""
        try:
            person = subscription_confirm_token_read(token)
        except LinkExpired:
            person, expired = None, True
        else:
            expired = False
        if person is not None:
            return person, None
        return None, link_problem(
            request,
            expired=expired,
            resend_url=reverse("mailings:subscription-confirm-resend"),
            expired_text=_("Confirmation links work for 14 days, and this one is older."),
        )

    def get(self, request, token):
        person, problem = self._read(request, token)
        if person is None:
            return problem
        waiting = subscription_list_waiting(person=person)
        return render(
            request,
            "mailings/subscription_confirm.html",
            {"waiting": [s.mailing_list for s in waiting], "done": not waiting},
        )

    def post(self, request, token):
        person, problem = self._read(request, token)
        if person is None:
            return problem
        confirmed = subscription_confirm(person=person)
        return render(
            request,
            "mailings/subscription_confirm.html",
            {"confirmed": confirmed, "done": True, "preferences": _preferences_url(person)},
        )


def _preferences_url(person):
    return reverse(
        "mailings:preferences", kwargs={"token": preferences_token_make(person_id=person.pk)}
    )


def _person_from_hex(value) -> Person | None:
    try:
        person_id = uuid.UUID(value or "")
    except ValueError:
        return None  # a test send's link names nobody
    return Person.objects.filter(pk=person_id, erased_at__isnull=True).first()


@method_decorator(never_cache, name="dispatch")
class PreferencesView(View):
    """The preference centre, reached by a signed link in every mailing: no login."""

    def _offered(self, person):
        mine = subscription_list_for_person(person=person).filter(
            status=Subscription.Status.SUBSCRIBED
        )
        ids = {s.mailing_list_id for s in mine}
        return list(
            (
                MailingList.objects.filter(is_public=True) | MailingList.objects.filter(pk__in=ids)
            ).prefetch_related("versions")
        )

    def _render(self, request, person, form, *, saved=False, status=200):
        return render(
            request,
            "mailings/preferences.html",
            {"form": form, "saved": saved, "person": person},
            status=status,
        )

    def get(self, request, token):
        person = _person_from_hex(preferences_token_read(token))
        if person is None:
            return render(request, "mailings/link_invalid.html", status=400)
        offered = self._offered(person)
        subscribed = [
            str(s.mailing_list_id)
            for s in subscription_list_for_person(person=person).filter(
                status=Subscription.Status.SUBSCRIBED
            )
        ]
        form = PreferencesForm(
            offered=offered, initial={"lists": subscribed, "language": person.language}
        )
        return self._render(request, person, form)

    def post(self, request, token):
        person = _person_from_hex(preferences_token_read(token))
        if person is None:
            return render(request, "mailings/link_invalid.html", status=400)
        offered = self._offered(person)
        if "unsubscribe_all" in request.POST:
            person_unsubscribe_all(person=person, source="preferences")
            return render(request, "mailings/unsubscribed.html", {"all": True})
        form = PreferencesForm(request.POST, offered=offered)
        if not form.is_valid():
            return self._render(request, person, form, status=400)
        preferences_save(
            person=person,
            list_ids=form.list_ids(),
            language=form.cleaned_data["language"],
            offered=offered,
        )
        return self._render(request, person, form, saved=True)


@method_decorator(csrf_exempt, name="dispatch")  # mail providers POST without a token
@method_decorator(never_cache, name="dispatch")
class UnsubscribeView(View):
    """RFC 8058 one-click unsubscribe: POST unsubscribes at once; GET only shows a button.

    Mail scanners and link previews follow every link in a message, so a
    GET changes nothing. The POST (from the mail client's button, with
    ``List-Unsubscribe=One-Click``, or from the page's button) answers 200
    with no redirect and no further form.
    """

    def _read(self, token):
        read = unsubscribe_token_read(token)
        if read is None:
            return None, None
        person_hex, mailing_id = read
        return _person_from_hex(person_hex), mailing_id

    def get(self, request, token):
        person, mailing_id = self._read(token)
        if person is None:
            return render(request, "mailings/link_invalid.html", status=400)
        mailing = Mailing.objects.filter(pk=mailing_id).first() if mailing_id else None
        lists = list(mailing.lists.all()) if mailing else []
        return render(
            request,
            "mailings/unsubscribe.html",
            {"lists": lists, "preferences": _preferences_url(person)},
        )

    def post(self, request, token):
        person, mailing_id = self._read(token)
        if person is None:
            return render(request, "mailings/link_invalid.html", status=400)
        unsubscribe_one_click(person_id=str(person.pk), mailing_id=mailing_id)
        mailing = Mailing.objects.filter(pk=mailing_id).first() if mailing_id else None
        return render(
            request,
            "mailings/unsubscribed.html",
            {
                "lists": list(mailing.lists.all()) if mailing else [],
                "all": mailing is None,
                "preferences": _preferences_url(person),
            },
        )


@never_cache
@require_safe
def delivery_open(request, token):
    """The tracking image of a mailing that counts opens (off unless the organiser chose it)."""
    delivery_id = open_token_read(token)
    if delivery_id is not None:
        delivery_open_record(delivery_id=delivery_id)
    return HttpResponse(PIXEL, content_type="image/gif")
