"""What the coalition app holds about one person, for their export and their erasure."""

from convoca.coalition.models import (
    AffiliationQuestion,
    AffiliationRequest,
    JoinRequest,
    WorkingGroupMember,
)


def _when(value):
    return value.isoformat() if value else None


def working_groups_export(person) -> list[dict]:
    return [
        {"working_group": m.group.name, "role": m.role, "public_name": m.public_name}
        for m in WorkingGroupMember.objects.filter(person=person).select_related("group")
    ]


def working_groups_erase(person) -> None:
    WorkingGroupMember.objects.filter(person=person).delete()


def join_requests_export(person) -> list[dict]:
    return [
        {
            "working_group": r.group.name,
            "status": r.status,
            "on_behalf_of": r.on_behalf_of.name if r.on_behalf_of else None,
            "public_name": r.public_name,
            "message": r.message,
            "created_at": _when(r.created_at),
        }
        for r in JoinRequest.objects.filter(person=person).select_related("group", "on_behalf_of")
    ]


def join_requests_erase(person) -> None:
    JoinRequest.objects.filter(person=person).delete()


def affiliation_requests_export(person) -> list[dict]:
    return [
        {
            "organisation": r.name,
            "status": r.status,
            "message": r.message,
            "questions": [q.body for q in r.questions.all()],
            "created_at": _when(r.created_at),
        }
        for r in AffiliationRequest.objects.filter(person=person).prefetch_related("questions")
    ]


def affiliation_requests_erase(person) -> None:
    """The organisation's details stay (they are its own); the contact's words and link go."""
    requests = AffiliationRequest.objects.filter(person=person)
    AffiliationQuestion.objects.filter(request__in=requests).delete()
    for request in requests:
        request.message = ""
        request.person = None
        request.save(update_fields=["message", "person", "updated_at"])
