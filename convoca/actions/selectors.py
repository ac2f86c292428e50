"""Reads of actions and their figures, for public pages and the admin."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import groupby

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from convoca.actions.models import (
    Action,
    ActionShared,
    CountryTally,
    Endorsement,
    Signature,
    Tally,
)
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator


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
        .exclude(shared__status=Action.Status.DRAFT)
        .select_related("shared__organisation")
        .prefetch_related("shared__co_sponsors")
        .first()
    )


def action_versions(action: Action) -> dict[str, str]:
    """Each public language version's address, for the language switcher and hreflang links."""
    versions = Action.objects.filter(shared_id=action.shared_id).exclude(
        shared__status=Action.Status.DRAFT
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
        Action.objects.filter(language=language, shared__status=Action.Status.OPEN)
        .filter(Q(shared__starts_at__isnull=True) | Q(shared__starts_at__lte=now))
        .filter(Q(shared__ends_at__isnull=True) | Q(shared__ends_at__gt=now))
        .select_related("shared__organisation")
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


def signature_total_public() -> int:
    """All signatures on every public action (open or closed), as their pages count them.

    The sum of the maintained ``Tally`` rows (one per action, all its
    languages), so one small query whatever the number of signatures; drafts
    are left out, and so are their test signatures.
    """
    public = ActionShared.objects.exclude(status=Action.Status.DRAFT).values("pk")
    return Tally.objects.filter(pk__in=public).aggregate(total=Sum("count"))["total"] or 0


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


@dataclass(frozen=True)
class ActionWeek:
    """An action's signatures counted in the last days, beside its total."""

    action: Action
    recent: int
    total: int


def action_list_for_staff(user: AbstractBaseUser) -> QuerySet[Action]:
    """The actions a staff account may see: its organisations' and those they co-sponsor."""
    if user_is_coordinator(user):
        return Action.objects.all()
    ids = organisation_ids_for_user(user)
    return Action.objects.filter(action_scope_q(ids))


def action_scope_q(organisation_ids) -> Q:
    """Versions of actions these organisations own or co-sponsor, as a filter on ``Action``."""
    co_sponsored = ActionShared.co_sponsors.through.objects.filter(
        organisation_id__in=organisation_ids
    )
    return Q(shared__organisation__in=organisation_ids) | Q(
        shared__in=co_sponsored.values("actionshared_id")
    )


def action_signatures_recent(
    *, user: AbstractBaseUser, language: str, days: int = 7
) -> list[ActionWeek]:
    """Confirmed signatures made in the last ``days`` days, per action this staff account may see.

    One row per action (all its languages, titled in ``language`` when it
    has that version): every open action, and any other that was signed in
    those days; the busiest first, with the action's public total beside.
    Counts rows, for a staff page, not a public one; each action's are read
    from the index of confirmed signatures by action and date.
    """
    actions = action_list_for_staff(user).exclude(shared__status=Action.Status.DRAFT)
    since = timezone.now() - timedelta(days=days)
    recent = dict(
        Signature.objects.filter(
            translation_key__in=actions.values("shared_id"),
            created_at__gte=since,
            confirmed_at__isnull=False,
        )
        .values("translation_key")
        .annotate(n=Count("pk"))
        .values_list("translation_key", "n")
    )
    chosen: dict = {}
    opened = Q(shared__status=Action.Status.OPEN) | Q(shared__in=recent)
    for action in actions.filter(opened).select_related("shared"):
        current = chosen.get(action.translation_key)
        if current is None or (action.language == language and current.language != language):
            chosen[action.translation_key] = action
    totals = dict(Tally.objects.filter(pk__in=chosen).values_list("pk", "count"))
    rows = [
        ActionWeek(action=action, recent=recent.get(key, 0), total=totals.get(key, 0))
        for key, action in chosen.items()
    ]
    return sorted(rows, key=lambda row: (-row.recent, -row.total, row.action.title))
