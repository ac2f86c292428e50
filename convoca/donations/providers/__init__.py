"""Payment providers: where a visitor pays, and what the provider tells us afterwards.

Fundraisers, donations and totals never talk to a provider directly. They
call the provider registered under a donation's ``provider`` name, through
the small interface in :mod:`.base`, and apply the provider-neutral
:class:`~.base.Change` that the provider makes of each webhook event. A new
provider is a module with a :class:`~.base.PaymentProvider` subclass, listed
in the ``CONVOCA_DONATION_PROVIDERS`` setting: no fundraiser code changes.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from convoca.donations.providers.base import (
    Change,
    CheckoutStart,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    SignatureInvalid,
)

__all__ = [
    "Change",
    "CheckoutStart",
    "PaymentProvider",
    "ProviderError",
    "ProviderEvent",
    "SignatureInvalid",
    "provider_get",
    "provider_online",
]


@cache
def _load(name: str, path: str) -> PaymentProvider:
    return import_string(path)(name=name)


def provider_get(name: str) -> PaymentProvider | None:
    """The provider registered under ``name``, or None if there is no such provider."""
    path = settings.CONVOCA_DONATION_PROVIDERS.get(name)
    return _load(name, path) if path else None


def provider_online() -> PaymentProvider | None:
    """The provider new online gifts go to: the first configured one, or None.

    None means online giving is not configured on this deployment (no keys):
    the public page says so, and offline gifts still work.
    """
    for name in settings.CONVOCA_DONATION_PROVIDERS:
        provider = provider_get(name)
        if provider is not None and provider.is_configured():
            return provider
    return None


def provider_cache_clear() -> None:
    """Forget loaded providers (settings changed, in tests)."""
    _load.cache_clear()
