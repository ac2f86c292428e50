"""Reads of letters: the campaign of an action, a supporter's targets, the public figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from convoca.actions.models import Action
from convoca.letters.imports import postal_code_normalise, region_normalise
from convoca.letters.models import (
    District,
    LetterCampaign,
    LetterDelivery,
    LetterText,
    Target,
    TargetCount,
)


def letter_campaign_for_action(action: Action) -> LetterCampaign | None:
    return (
        LetterCampaign.objects.filter(translation_key=action.translation_key)
        .prefetch_related("versions")
        .first()
    )


def letter_text_for(campaign: LetterCampaign, language: str) -> LetterText | None:
    """The letter in ``language``, else in the language a visitor falls back to."""
    return campaign.version_in(language)


def district_codes_for_place(
    *, body_id: int, country: str, postal_code: str = "", region: str = ""
) -> set[str]:
    """The districts of a body that a place falls in, from its district table only.

    The most precise rows win: a postal code's own rows, else the longest
    prefix row (``28*``), else the region's, else the whole country's. No
    request leaves the server.
    """
    rows = District.objects.filter(body_id=body_id, country=country)
    code = postal_code_normalise(country, postal_code)
    if code:
        exact = set(rows.filter(postal_code=code).values_list("district", flat=True))
        if exact:
            return exact
        prefixes = [
            (p, d)
            for p, d in rows.filter(postal_code__endswith="*").values_list(
                "postal_code", "district"
            )
            if code.startswith(p[:-1])
        ]
        if prefixes:
            longest = max(len(p) for p, _d in prefixes)
            return {d for p, d in prefixes if len(p) == longest}
    place = region_normalise(region)
    if place:
        found = set(rows.filter(postal_code="", region=place).values_list("district", flat=True))
        if found:
            return found
    return set(rows.filter(postal_code="", region="").values_list("district", flat=True))


@dataclass
class Lookup:
    """A supporter's targets: those found for their place, those pinned, or a list to choose."""

    found: list[Target] = field(default_factory=list)
    pinned: list[Target] = field(default_factory=list)
    #: Every target they may choose from when nothing was found for their place.
    choices: list[Target] = field(default_factory=list)
    searched: bool = False

    @property
    def matched(self) -> bool:
        return bool(self.found)

    @property
    def selectable(self) -> list[Target]:
        return self.found if self.found else self.choices


def letter_targets_lookup(
    *, campaign: LetterCampaign, country: str = "", postal_code: str = "", region: str = ""
) -> Lookup:
    """Find the targets of a supporter in ``country`` at ``postal_code`` or in ``region``.

    A place that matches no district is not an error: the supporter then
    chooses from the members of the campaign's bodies (those of their
    country's bodies first, if any). Pinned targets are always there.
    """
    lookup = Lookup(
        pinned=list(campaign.pinned_targets.select_related("body").order_by("body", "name")),
        searched=bool(country),
    )
    bodies = list(campaign.bodies.all())
    found_ids: set[int] = set()
    if country:
        for body in bodies:
            districts = district_codes_for_place(
                body_id=body.pk, country=country, postal_code=postal_code, region=region
            )
            if districts:
                found_ids.update(
                    Target.objects.filter(
                        body=body, active=True, district__in=districts
                    ).values_list("pk", flat=True)
                )
    pinned_ids = {t.pk for t in lookup.pinned}
    members = (
        Target.objects.filter(body__in=bodies, active=True)
        .exclude(pk__in=pinned_ids)
        .select_related("body")
        .order_by("body__name", "district", "name")
    )
    if found_ids:
        lookup.found = list(members.filter(pk__in=found_ids))
    if not lookup.found:
        own = [b.pk for b in bodies if country and b.country == country]
        lookup.choices = list(members.filter(body__in=own) if own else members)
    return lookup


@dataclass(frozen=True)
class LetterResults:
    letters: int
    targets: int
    #: (target, letters), most first.
    per_target: list[tuple[Target, int]]


def letter_results(campaign: LetterCampaign) -> LetterResults:
    """Letters per target, from the maintained counts: one query, whatever the number of letters."""
    counts = list(
        TargetCount.objects.filter(campaign=campaign, count__gt=0)
        .select_related("target__body")
        .order_by("-count", "target__name")
    )
    return LetterResults(
        letters=sum(c.count for c in counts),
        targets=len(counts),
        per_target=[(c.target, c.count) for c in counts],
    )


@dataclass(frozen=True)
class DeliveryRow:
    target: Target
    counts: dict[str, int]
    total: int


def delivery_counts_per_target(campaign: LetterCampaign) -> list[DeliveryRow]:
    """Deliveries per target and status, for the organisers (counts rows: a staff page)."""
    table: dict[int, dict[str, int]] = {}
    for target_id, status, n in (
        LetterDelivery.objects.filter(campaign=campaign)
        .order_by()
        .values_list("target_id", "status")
        .annotate(n=Count("pk"))
    ):
        table.setdefault(target_id, {})[status] = n
    targets = Target.objects.in_bulk(list(table))
    rows = [
        DeliveryRow(
            target=targets[target_id],
            counts={s: counts.get(s, 0) for s in LetterDelivery.Status.values},
            total=sum(counts.values()),
        )
        for target_id, counts in table.items()
    ]
    return sorted(rows, key=lambda row: (-row.total, row.target.name))


def deliveries_in_digest_or_alone(campaign: LetterCampaign) -> dict[str, int]:
    """How many deliveries went alone, in a digest, or not by email, for the admin's summary."""
    rows = LetterDelivery.objects.filter(campaign=campaign)
    return {
        "alone": rows.filter(status=LetterDelivery.Status.QUEUED, in_digest=False).count(),
        "digest": rows.filter(status=LetterDelivery.Status.QUEUED, in_digest=True).count(),
        "other": rows.filter(~Q(status=LetterDelivery.Status.QUEUED)).count(),
    }
