"""The embeddable action: a page other sites show in a frame, its signing, and oEmbed.

A partner site includes ``core/embed.js`` (or asks the oEmbed endpoint for
the markup); either way its visitors see the embed page in an ``<iframe>``
and sign there without leaving the partner's page. These are the only pages
another site may frame: they carry the site's own policy with
``frame-ancestors`` widened and no ``X-Frame-Options``, while every other
page keeps ``frame-ancestors 'none'``.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from convoca.actions.forms import SignatureForm
from convoca.actions.models import Action
from convoca.actions.selectors import (
    action_get_public,
)
from convoca.actions.views import ActionSignView, action_context, action_get_or_404, source_clean
from convoca.core.antibot import cross_site_refused
from convoca.core.caching import public_page, public_page_scope
from convoca.core.framing import frameable
from convoca.core.markdown import markdown_render

# The size the oEmbed markup asks for when the consumer sets no maximum.
EMBED_WIDTH = 560
EMBED_HEIGHT = 640

# Seconds a consumer may keep the answer: the frame shows live figures anyway.
OEMBED_CACHE_AGE = 3600

# Pages whose address, given to oEmbed, stands for the action.
OEMBED_VIEWS = {"actions:action-detail", "actions:action-embed"}


def _embed_context(request, action: Action, *, form=None, source: str = "", message=""):
    return {
        **action_context(request, action, form),
        "source": source,
        "message": message,
        "action_url": request.build_absolute_uri(action.get_absolute_url()),
    }


@frameable
@public_page
@require_safe
def action_embed(request, slug):
    """The action's title, count and form, alone, for a frame on a partner's page.

    The same for every visitor of one address (``?source=`` is part of the
    address and of the cache key), with no CSRF token: the form posts to
    :func:`action_embed_sign`, which, like the action page's, needs none.
    """
    action = action_get_or_404(request, slug)
    if action.is_targeted:  # a letter has its own embed (convoca.letters)
        return redirect("letters:letter-embed", slug=slug)
    public_page_scope(request, "action", action.translation_key)  # its count stays current
    source = source_clean(request.GET.get("source", ""))
    return render(
        request, "actions/action_embed.html", _embed_context(request, action, source=source)
    )


@csrf_exempt  # anonymous, no session, like ActionSignView; see docs/architecture.md
@cross_site_refused
@frameable
@never_cache
@require_POST
def action_embed_sign(request, slug):
    """Sign through ActionSignView, and keep every answer inside the frame.

    ActionSignView answers a mistake with the full action page, whose form
    posts outside the embed, and success with a thank-you page that may not
    be framed; those two answers, and the closed and too-many-attempts
    pages, are replaced here by the embed's own.
    """
    action = action_get_or_404(request, slug)
    if action.is_targeted:  # a letter is sent from its own page
        raise Http404
    source = source_clean(request.POST.get("source", ""))
    form = SignatureForm(request.POST, request.FILES, action=action)
    if not form.is_valid():
        return render(
            request,
            "actions/action_embed.html",
            _embed_context(request, action, form=form, source=source),
            status=400,
        )
    response = ActionSignView.as_view()(request, slug=slug)
    if isinstance(response, HttpResponseRedirect):
        return redirect(reverse("actions:action-embed-thanks", kwargs={"slug": action.slug}))
    if response.status_code == 409:  # closed since the form was shown
        context = _embed_context(request, action)
        context["closed"] = True
        return render(request, "actions/action_embed.html", context, status=409)
    if response.status_code == 429:
        return render(
            request,
            "actions/action_embed.html",
            _embed_context(
                request,
                action,
                form=form,
                source=source,
                message=_(
                    "You have sent this form too many times. Please wait an hour and try again."
                ),
            ),
            status=429,
        )
    return response


@frameable
@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def action_embed_thanks(request, slug):
    action = action_get_or_404(request, slug)
    context = {
        "action": action,
        "thanked": True,
        "thank_you": markdown_render(action.thank_you),
        "action_url": request.build_absolute_uri(action.get_absolute_url()),
    }
    context["share_url"] = context["action_url"]
    return render(request, "actions/action_embed.html", context)


def _action_from_url(request, url: str) -> tuple[Action | None, str]:
    """The public action an absolute address on this site shows, and its ``?source=``.

    Any other host, scheme or page gives ``(None, "")``. The path is
    resolved in the language of its own prefix, whatever the language of
    this request.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None, ""
    ours = {request.get_host().lower(), urlsplit(settings.SITE_URL).netloc.lower()}
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() not in ours:
        return None, ""
    language = translation.get_language_from_path(parts.path)
    if language is None:
        return None, ""
    with translation.override(language):
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None, ""
    if match.view_name not in OEMBED_VIEWS:
        return None, ""
    action = action_get_public(language=language, slug=match.kwargs["slug"])
    source = source_clean(parse_qs(parts.query).get("source", [""])[0])
    return action, source


def _dimension(value: str | None, default: int) -> int:
    """``default``, or the consumer's ``maxwidth``/``maxheight`` when that is smaller."""
    if value and value.isascii() and value.isdigit() and int(value) > 0:
        return min(default, int(value))
    return default


@public_page
@require_safe
def oembed(request):
    """oEmbed (https://oembed.com) for action pages: JSON describing an embed frame.

    The answer holds only what the public page shows, so any site may read
    it, from a browser too.
    """
    if request.GET.get("format", "json") != "json":
        return JsonResponse({"error": "only format=json is supported"}, status=501)
    action, source = _action_from_url(request, request.GET.get("url", ""))
    if action is None:
        return JsonResponse({"error": "no action at this address"}, status=404)
    width = _dimension(request.GET.get("maxwidth"), EMBED_WIDTH)
    height = _dimension(request.GET.get("maxheight"), EMBED_HEIGHT)
    with translation.override(action.language):
        src = request.build_absolute_uri(
            reverse("actions:action-embed", kwargs={"slug": action.slug})
        )
    if source:
        src = f"{src}?{urlencode({'source': source})}"
    html = format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy" '
        'frameborder="0"></iframe>',
        src,
        action.title,
        width,
        height,
    )
    response = JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": settings.SITE_NAME,
            "provider_url": request.build_absolute_uri("/"),
            "title": action.title,
            "author_name": action.organisation.name,
            "html": html,
            "width": width,
            "height": height,
            "cache_age": OEMBED_CACHE_AGE,
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
