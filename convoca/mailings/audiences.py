"""The audience filter built in: tags (actions and events add their own)."""

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


def register_builtin() -> None:
    audience_filter_register("tags", label=_("tags"), choices=_tag_choices, people=_tag_people)
