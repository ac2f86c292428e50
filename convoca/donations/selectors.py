"""Reads of fundraisers for the public pages and the admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from convoca.donations.models import (
    Donation,
    Donor,
    Fundraiser,
    FundraiserMonth,
    FundraiserTotal,
    minor_to_major,
)


def fundraiser_get_public(*, slug: str) -> Fundraiser | None:
    """An open or closed (not draft) fundraiser of an active organisation, by its address."""
    return (
        Fundraiser.objects.select_related("organisation")
        .prefetch_related("versions")
        .filter(slug=slug, organisation__status="active")
        .exclude(status=Fundraiser.Status.DRAFT)
        .first()
    )


@dataclass(frozen=True)
class FundraiserFigures:
    """What the public page shows about a fundraiser's progress, from its maintained total."""

    raised: int
    online: int
    offline: int
    goal: int
    donors: int
    monthly_donors: int
    monthly_amount: int
    currency: str

    @property
    def percent(self) -> int:
        return min(100, self.raised * 100 // self.goal) if self.goal else 0

    @property
    def raised_display(self) -> str:
        return minor_to_major(self.raised)

    @property
    def goal_display(self) -> str:
        return minor_to_major(self.goal)

    @property
    def monthly_display(self) -> str:
        return minor_to_major(self.monthly_amount)

    @property
    def bar_value(self) -> int:
        """The bar's value: never beyond its maximum, never below zero."""
        return max(0, min(self.raised, self.goal))


def fundraiser_figures(
    fundraiser: Fundraiser, *, total: FundraiserTotal | None = None
) -> FundraiserFigures:
    """The fundraiser's figures: one primary-key read of ``FundraiserTotal`` unless given."""
    if total is None:
        total = FundraiserTotal.objects.filter(pk=fundraiser.pk).first() or FundraiserTotal()
    return FundraiserFigures(
        raised=total.amount,
        online=total.online_amount,
        offline=total.offline_amount,
        goal=fundraiser.goal,
        donors=total.donors,
        monthly_donors=total.monthly_donors,
        monthly_amount=total.monthly_amount,
        currency=fundraiser.currency,
    )


def donor_list_public(fundraiser: Fundraiser, *, limit: int = 100) -> list[str]:
    """The names donors chose to appear under, latest first; only theirs who chose so."""
    if not fundraiser.show_donors:
        return []
    donors = (
        Donor.objects.filter(
            fundraiser=fundraiser, listed=True, given__gt=0, person__erased_at__isnull=True
        )
        .only("id", "public_name")
        .order_by("-first_gift_at")[:limit]
    )
    return [donor.public_name for donor in donors if donor.public_name]


def fundraiser_months(fundraiser: Fundraiser) -> QuerySet[FundraiserMonth]:
    return FundraiserMonth.objects.filter(fundraiser=fundraiser).order_by("-month")


def donation_get_for_thanks(*, fundraiser: Fundraiser, reference: str) -> Donation | None:
    """The donation a checkout reference names, only on this fundraiser; None if unknown."""
    if not reference or len(reference) > 255:
        return None
    return Donation.objects.filter(fundraiser=fundraiser, checkout_reference=reference).first()


def fundraiser_list_public(*, limit: int = 50) -> list[tuple[Fundraiser, FundraiserFigures]]:
    """Open fundraisers, newest first, each with its texts and figures: two queries in all."""
    fundraisers = list(
        Fundraiser.objects.select_related("organisation", "total")
        .prefetch_related("versions")
        .filter(status=Fundraiser.Status.OPEN, organisation__status="active")
        .order_by("-created_at")[:limit]
    )
    return [(f, fundraiser_figures(f, total=_total_or_zero(f))) for f in fundraisers]


def _total_or_zero(fundraiser: Fundraiser) -> FundraiserTotal:
    try:
        return fundraiser.total
    except FundraiserTotal.DoesNotExist:
        return FundraiserTotal()
