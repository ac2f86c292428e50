"""The mailings audience filter events add: "registered for event Y"."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from convoca.mailings.selectors import audience_filter_register


def _event_choices(organisation_ids=None):
    from convoca.events.models import Event

    events = Event.objects.order_by("-shared__starts_at")
    if organisation_ids is not None:
        events = events.filter(shared__organisation_id__in=organisation_ids)
    seen, choices = set(), []
    for key, title, language, starts_at in events.values_list(
        "shared_id", "title", "language", "shared__starts_at"
    )[:500]:
        if key not in seen:
            seen.add(key)
            choices.append((str(key), f"{title} ({starts_at:%Y-%m-%d}, {language})"))
    return choices


def _event_people(values):
    from convoca.events.models import Registration

    return Q(
        Exists(
            Registration.objects.filter(
                person=OuterRef("pk"),
                translation_key__in=values,
                status=Registration.Status.CONFIRMED,
            )
        )
    )


def register() -> None:
    audience_filter_register(
        "registered",
        label=_("registered for the event"),
        choices=_event_choices,
        people=_event_people,
    )
