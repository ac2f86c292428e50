"""Provider webhooks through django-anymail: bounces, complaints, deliveries.

Anymail's tracking views check HTTP basic auth against ``ANYMAIL["WEBHOOK_SECRET"]``.
Convoca refuses the webhooks altogether while no secret is set, so they
are never open to anyone on the web.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from django.urls import URLPattern, URLResolver

from convoca.mailings.services import tracking_event_record


def tracking_received(sender, event, esp_name, **kwargs):
    """Anymail's ``tracking`` signal: one event from a provider."""
    tracking_event_record(
        event_type=event.event_type or "",
        recipient=event.recipient or "",
        provider_id=str(event.message_id or ""),
        metadata=event.metadata or {},
        description=(event.description or event.reject_reason or "")[:200],
        timestamp=event.timestamp,
    )


def _secret_required(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            return HttpResponseForbidden("Webhooks are off: set ANYMAIL_WEBHOOK_SECRET.")
        return view(request, *args, **kwargs)

    guarded.csrf_exempt = True
    return guarded


def _guard(patterns):
    guarded = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            guarded.append(URLResolver(pattern.pattern, _guard(pattern.url_patterns)))
        elif isinstance(pattern, URLPattern):
            guarded.append(
                URLPattern(pattern.pattern, _secret_required(pattern.callback), name=pattern.name)
            )
    return guarded


def webhook_urls():
    """``path("anymail/", include(webhook_urls()))``: anymail's views, closed without a secret."""
    from anymail import urls as anymail_urls

    return _guard(anymail_urls.urlpatterns), "anymail"
