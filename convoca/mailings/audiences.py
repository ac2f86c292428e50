"""The audience filters built in: tags, and "signed action X" (other apps add their own)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from convoca.mailings.selectors import audience_filter_register


def _tag_choices(organisation_ids=None):
    from convoca.people.models import Tag

    tags = Tag.objects.all()
    if organisation_ids is not None:
        tags = tags.filter(Q(organisation_id__in=organisation_ids) | Q(organisation__isnull=True))
    return [(str(tag.pk), str(tag)) for tag in tags.order_by("name")]


def _tag_people(values):
    from convoca.people.models import PersonTag

    ids = [int(v) for v in values if str(v).isdigit()]
    return Q(Exists(PersonTag.objects.filter(person=OuterRef("pk"), tag_id__in=ids)))


def _action_choices(organisation_ids=None):
    from convoca.actions.models import Action

    actions = Action.objects.order_by("-created_at")
    if organisation_ids is not None:
        actions = actions.filter(organisation_id__in=organisation_ids)
    seen, choices = set(), []
    for key, title, language in actions.values_list("translation_key", "title", "language"):
        if key not in seen:
            seen.add(key)
            choices.append((str(key), f"{title} ({language})"))
    return choices


def _action_people(values):
    from convoca.actions.models import Signature

    return Q(
        Exists(
            Signature.objects.filter(
                person=OuterRef("pk"), translation_key__in=values, confirmed_at__isnull=False
            )
        )
    )


def register_builtin() -> None:
    audience_filter_register("tags", label=_("tags"), choices=_tag_choices, people=_tag_people)
    audience_filter_register(
        "signed", label=_("signed the action"), choices=_action_choices, people=_action_people
    )
