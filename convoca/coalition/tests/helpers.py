"""Working groups for tests, written as they were before their texts moved to rows per language."""

from convoca.coalition.models import WorkingGroup, WorkingGroupText

TEXT_FIELDS = ("name", "purpose", "description")


def working_group_make(**fields) -> WorkingGroup:
    """A group from ``slug=..., name_en=..., purpose_es=...``: the group, then a text per language.

    Rows only, as ``WorkingGroup.objects.create`` made them (no mailing list):
    the tests that use it are about something else than the group's list.
    """
    texts: dict[str, dict[str, str]] = {}
    for key in list(fields):
        name, _sep, language = key.rpartition("_")
        if name in TEXT_FIELDS:
            texts.setdefault(language, {})[name] = fields.pop(key)
    group = WorkingGroup.objects.create(**fields)
    for language, text in texts.items():
        if any(text.values()):
            text.setdefault("name", texts.get("en", {}).get("name", ""))
            text["name"] = text["name"] or texts.get("en", {}).get("name", "")
            WorkingGroupText.objects.create(shared=group, language=language, **text)
    return group
