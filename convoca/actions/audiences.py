"""The mailings audience filter actions add: "signed action X"."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from convoca.actions.models import Action, Signature
from convoca.mailings.selectors import audience_filter_register


def _action_choices(organisation_ids=None):
    actions = Action.objects.order_by("-created_at")
    if organisation_ids is not None:
        actions = actions.filter(shared__organisation_id__in=organisation_ids)
    seen, choices = set(), []
    for key, title, language in actions.values_list("shared_id", "title", "language"):
        if key not in seen:
            seen.add(key)
            choices.append((str(key), f"{title} ({language})"))
    return choices


def _action_people(values):
    return Q(
        Exists(
            Signature.objects.filter(
                person=OuterRef("pk"), translation_key__in=values, confirmed_at__isnull=False
            )
        )
    )


def register() -> None:
    audience_filter_register(
        "signed", label=_("signed the action"), choices=_action_choices, people=_action_people
    )
