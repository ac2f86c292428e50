"""Reads of actions and their figures, for public pages and the admin."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Q, QuerySet
from django.utils import timezone

from convoca.actions.models import Action, CountryTally, Endorsement, Signature, Tally


@dataclass(frozen=True)
class ActionFigures:
    count: int
    goal: int
    countries: int
    members_represented: int
    by_country: list[CountryTally]

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.count / self.goal)) if self.goal else 0


def action_get_public(*, language: str, slug: str) -> Action | None:
    return (
        Action.objects.filter(language=language, slug=slug)
        .exclude(status=Action.Status.DRAFT)
        .select_related("organisation")
        .prefetch_related("co_sponsors")
        .first()
    )


def action_versions(action: Action) -> dict[str, str]:
    """Each public language version's address, for the language switcher and hreflang links."""
    versions = Action.objects.filter(translation_key=action.translation_key).exclude(
        status=Action.Status.DRAFT
    )
    return {version.language: version.get_absolute_url() for version in versions}


_SIGNING_CACHE: dict[tuple[str, str], tuple[float, Action | None]] = {}
SIGNING_CACHE_SECONDS = 10


def action_get_for_signing(*, language: str, slug: str) -> Action | None:
    """``action_get_public``, remembered by this process for a few seconds.

    Signing is the hot path and the action rarely changes: a closed action
    stops taking signatures at most ``SIGNING_CACHE_SECONDS`` later. The
    object is only read, so threads may share it.
    """
    key = (language, slug)
    now = time.monotonic()
    hit = _SIGNING_CACHE.get(key)
    if hit and now - hit[0] < SIGNING_CACHE_SECONDS:
        return hit[1]
    action = action_get_public(language=language, slug=slug)
    if action is not None:
        list(action.co_sponsors.all())  # fill the prefetch cache before sharing
    if len(_SIGNING_CACHE) > 1000:
        _SIGNING_CACHE.clear()
    _SIGNING_CACHE[key] = (now, action)
    return action


def action_signing_cache_clear() -> None:
    """Forget what signing remembers per process (the actions, their forms, the drain)."""
    from convoca.actions import forms, services

    _SIGNING_CACHE.clear()
    forms.signature_form_check_cache_clear()
    services.intake_drain_debounce_reset()


def action_list_open(*, language: str) -> QuerySet[Action]:
    now = timezone.now()
    return (
        Action.objects.filter(language=language, status=Action.Status.OPEN)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("organisation")
    )


def action_figures_version(translation_key: str) -> tuple | None:
    """What changes whenever an action's public figures do: one read of its tally row.

    Cached action pages are served only while it is unchanged
    (``core.caching.public_page_scope``, registered in ``ActionsConfig.ready``).
    """
    return (
        Tally.objects.filter(pk=translation_key)
        .values_list("count", "goal", "members_represented")
        .first()
    )


def action_figures(action: Action) -> ActionFigures:
    """The maintained counts: two small reads, whatever the number of signatures."""
    tally = Tally.objects.filter(pk=action.translation_key).first()
    by_country = list(
        CountryTally.objects.filter(translation_key=action.translation_key, count__gt=0)
        .exclude(country="")
        .order_by("-count", "country")
    )
    return ActionFigures(
        count=tally.count if tally else 0,
        goal=tally.goal if tally else action.goal,
        countries=len(by_country),
        members_represented=tally.members_represented if tally else 0,
        by_country=by_country,
    )


def signature_list_public(action: Action) -> QuerySet[Signature]:
    """Signers who chose to appear, counted, on an action that shows signers (never a pledge)."""
    if action.is_pledge or action.is_endorsement or not action.show_signers:
        return Signature.objects.none()
    return (
        Signature.objects.filter(translation_key=action.translation_key, counted=True)
        .exclude(visibility=Signature.Visibility.HIDDEN)
        .filter(purged_at__isnull=True, person__erased_at__isnull=True)
        .select_related("person")
        .order_by("-created_at")
    )


def signature_list_featured(action: Action) -> list[Signature]:
    return list(
        signature_list_public(action)
        .filter(featured=True)
        .filter(visibility__in=[Signature.Visibility.NAME, Signature.Visibility.FULL])
        .order_by("-members_represented", "created_at")
    )


def endorsement_list_public(action: Action) -> list[tuple[str, list[Endorsement]]]:
    """Approved endorsing organisations, grouped by country name in the active language."""
    endorsements = sorted(
        Endorsement.objects.filter(
            signature__translation_key=action.translation_key,
            status=Endorsement.Status.APPROVED,
        ),
        key=lambda e: (e.country.name, e.name.casefold()),
    )
    return [(c, list(group)) for c, group in groupby(endorsements, key=lambda e: e.country)]


def round_down_nicely(value: int) -> int:
    """The largest round figure not above ``value``: 5,312,000 -> 5,000,000; 48,700 -> 45,000."""
    if value < 10:
        return value
    half_step = 10 ** (len(str(value)) - 1) // 2
    return value // half_step * half_step
