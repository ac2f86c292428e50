"""Emails of the coalition: affiliation, invitations, requests to join. Each is safe to rerun."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from convoca.coalition.models import (
    AffiliationQuestion,
    AffiliationRequest,
    JoinRequest,
    Organisation,
    WorkingGroupMember,
)
from convoca.coalition.selectors import coordinator_list_emailable
from convoca.coalition.services import (
    join_request_confirm_token_make,
    join_request_review_token_make,
)
from convoca.core.mail import absolute_url, email_send


def _language(value: str) -> str:
    return value if value in ("en", "es") else "en"


@task
def affiliation_request_received_email_task(*, request_id: str) -> int:
    """Acknowledge an affiliation request to its contact and tell the coordinators about it."""
    request = AffiliationRequest.objects.select_related("person").filter(pk=request_id).first()
    if request is None:
        return 0
    sent = 0
    if request.person and request.person.email:
        email_send(
            to=request.person.email,
            template="coalition/email/affiliation_received",
            context={"request": request, "person": request.person},
            language=_language(request.language),
        )
        sent += 1
    coordinators = coordinator_list_emailable()
    # Staff have no language of their own: the site's default language.
    with translation.override(settings.LANGUAGE_CODE):
        link = absolute_url(reverse("admin:coalition_affiliationrequest_change", args=[request.pk]))
    for user in coordinators:
        email_send(
            to=user.email,
            template="coalition/email/affiliation_to_review",
            context={"request": request, "link": link},
            language=settings.LANGUAGE_CODE,
        )
        sent += 1
    return sent


@task
def affiliation_question_email_task(*, question_id: str) -> bool:
    """Email a coordinator's question (or reason for declining) to the contact, who may reply."""
    question = (
        AffiliationQuestion.objects.select_related("request__person", "author")
        .filter(pk=question_id, sent_at__isnull=True)
        .first()
    )
    if question is None or question.request.person is None or not question.request.person.email:
        return False
    author = question.author
    headers = {"Reply-To": author.email} if author and author.email else {}
    request = question.request
    # Written with the decision (affiliation_request_decline): the reason for it.
    declined = (
        request.status == AffiliationRequest.Status.DECLINED
        and request.reviewed_at is not None
        and question.created_at >= request.reviewed_at
    )
    email_send(
        to=question.request.person.email,
        template=(
            "coalition/email/affiliation_declined"
            if declined
            else "coalition/email/affiliation_question"
        ),
        context={"request": question.request, "question": question.body},
        language=_language(question.request.language),
        headers=headers,
    )
    AffiliationQuestion.objects.filter(pk=question.pk).update(sent_at=timezone.now())
    return True


def organiser_invitation_link(*, user, language: str) -> str:
    """A link for the user to set their password (Django's reset token: single use, expires)."""
    with translation.override(language):
        return absolute_url(
            reverse(
                "coalition:organiser-set-password",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )


@task
def organiser_invitation_email_task(*, user_id: int, organisation_id: int, language: str) -> bool:
    """Invite the contact of an approved organisation to set a password and log in."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None or not user.email:
        return False
    language = _language(language)
    email_send(
        to=user.email,
        template="coalition/email/organiser_invitation",
        context={
            "organisation": organisation,
            "username": user.get_username(),
            "link": organiser_invitation_link(user=user, language=language),
        },
        language=language,
    )
    return True


@task
def join_request_confirmation_email_task(*, join_request_id: str) -> bool:
    """Ask the person to confirm their request to join (and so their address)."""
    join_request = (
        JoinRequest.objects.select_related("group", "person")
        .filter(pk=join_request_id, status=JoinRequest.Status.UNCONFIRMED)
        .first()
    )
    if join_request is None or join_request.person.erased_at:
        return False
    language = _language(join_request.language)
    with translation.override(language):
        link = absolute_url(
            reverse(
                "coalition:join-confirm",
                kwargs={"token": join_request_confirm_token_make(join_request=join_request)},
            )
        )
    email_send(
        to=join_request.person.email,
        template="coalition/email/join_confirm",
        context={"join_request": join_request, "group": join_request.group, "link": link},
        language=language,
    )
    return True


@task
def join_request_conveners_email_task(*, join_request_id: str) -> int:
    """Ask each convener of the group to review a confirmed request, each with their own link."""
    join_request = (
        JoinRequest.objects.select_related("group")
        .filter(pk=join_request_id, status=JoinRequest.Status.PENDING)
        .first()
    )
    if join_request is None:
        return 0
    conveners = WorkingGroupMember.objects.filter(
        group=join_request.group,
        role=WorkingGroupMember.Role.CONVENER,
        person__erased_at__isnull=True,
    ).select_related("person")
    sent = 0
    for convener in conveners:
        language = _language(convener.person.language)
        with translation.override(language):
            link = absolute_url(
                reverse(
                    "coalition:join-review",
                    kwargs={
                        "token": join_request_review_token_make(
                            join_request=join_request, convener=convener
                        )
                    },
                )
            )
        email_send(
            to=convener.person.email,
            template="coalition/email/join_review",
            context={"group": join_request.group, "link": link},
            language=language,
        )
        sent += 1
    return sent


@task
def join_request_decided_email_task(*, join_request_id: str) -> bool:
    """Tell the person whether the conveners accepted their request."""
    join_request = (
        JoinRequest.objects.select_related("group", "person")
        .filter(
            pk=join_request_id,
            status__in=[JoinRequest.Status.ACCEPTED, JoinRequest.Status.DECLINED],
        )
        .first()
    )
    if join_request is None or join_request.person.erased_at:
        return False
    language = _language(join_request.language)
    with translation.override(language):
        link = absolute_url(join_request.group.get_absolute_url())
    email_send(
        to=join_request.person.email,
        template="coalition/email/join_decided",
        context={
            "group": join_request.group,
            "accepted": join_request.status == JoinRequest.Status.ACCEPTED,
            "link": link,
        },
        language=language,
    )
    return True
