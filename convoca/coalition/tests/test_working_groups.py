import re

import pytest

from convoca.coalition.models import JoinRequest, WorkingGroup, WorkingGroupMember
from convoca.organisations.models import Organisation
from convoca.organisations.services import organisation_save
from convoca.people.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def join(client, django_capture_on_commit_callbacks):
    def post(group, language="en", **fields):
        data = {
            "given_name": "Luis",
            "family_name": "Gómez",
            "email": "luis@example.org",
            "public_name": "",
            **fields,
        }
        prefix = "/es/grupos-de-trabajo/" if language == "es" else "/en/working-groups/"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"{prefix}{group.slug}/", data)

    return post


def _path(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message["message"].get_content()).group(1)


def test_the_group_page_shows_its_purpose_conveners_chosen_names_and_how_to_join(
    client, make_group, make_convener
):
    group = make_group(description_es="Reunión **cada lunes**.")
    make_convener(group, public_name="Carla M.")
    make_convener(group, email="quiet@example.org", public_name="")

    page = client.get("/es/grupos-de-trabajo/sanctions/").text

    assert "Campaña contra las sanciones" in page
    assert "Documenta el costo humano" in page
    assert "<strong>cada lunes</strong>" in page
    assert "Carla M." in page
    assert "quiet" not in page
    assert "Unirse al grupo" in page


def test_joining_an_open_group_takes_effect_once_the_address_is_confirmed(
    client, join, make_group, smtp_sink, django_capture_on_commit_callbacks
):
    group = make_group()
    response = join(group)
    assert response["Location"] == "/en/working-groups/sanctions/sent/"
    assert not WorkingGroupMember.objects.exists()
    [confirmation] = smtp_sink.messages
    assert confirmation["message"]["Subject"] == "Confirm your request to join Sanctions campaign"

    path = _path(confirmation)
    assert "Confirm my request" in client.get(path).text  # a mail scanner's GET changes nothing
    assert not WorkingGroupMember.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(path).text

    assert "you are now a member" in page
    member = WorkingGroupMember.objects.get()
    assert (member.group, member.person.email) == (group, "luis@example.org")
    assert member.person.email_confirmed_at is not None
    assert Activity.objects.filter(person=member.person, kind="joined_group").count() == 1


def test_a_request_to_a_by_request_group_is_reviewed_by_a_convener_from_their_email(
    client, join, make_group, make_convener, smtp_sink, django_capture_on_commit_callbacks
):
    group = make_group(joining=WorkingGroup.Joining.REQUEST)
    make_convener(group)
    join(group, language="es", message="Soy abogado de derechos humanos.")
    [confirmation] = smtp_sink.messages
    assert confirmation["message"]["Subject"].startswith("Confirma tu solicitud")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_path(confirmation))
    request = JoinRequest.objects.get()
    assert request.status == JoinRequest.Status.PENDING
    assert not WorkingGroupMember.objects.filter(role="member").exists()

    review = next(m for m in smtp_sink.messages if m["to"] == ["carla@example.org"])
    review_path = _path(review)
    page = client.get(review_path).text
    assert "Soy abogado de derechos humanos." in page
    assert "luis@example.org" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_path, {"decision": "accept"})

    request.refresh_from_db()
    assert (request.status, request.reviewed_by) == (JoinRequest.Status.ACCEPTED, "Carla M.")
    assert WorkingGroupMember.objects.filter(group=group, role="member").count() == 1
    decided = smtp_sink.messages[-1]
    assert decided["to"] == ["luis@example.org"]
    assert decided["message"]["Subject"] == "Te damos la bienvenida a Campaña contra las sanciones"
    # A second decision through the same link changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_path, {"decision": "decline"})
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.ACCEPTED


def test_the_strategy_body_takes_only_representatives_of_an_organisation(
    join, make_group, organisation
):
    body = make_group(
        slug="strategy",
        name_en="Strategy committee",
        kind=WorkingGroup.Kind.STRATEGY_BODY,
        joining=WorkingGroup.Joining.OPEN,
    )
    response = join(body)
    assert response.status_code == 400
    assert "Choose the organisation you would represent" in response.text
    assert 'value="Luis"' in response.text

    response = join(body, on_behalf_of=organisation.pk)
    assert response.status_code == 302
    request = JoinRequest.objects.get()
    assert request.on_behalf_of == organisation
    assert not body.is_open  # a body always reviews, even when marked open


def test_staff_of_the_groups_organisation_decide_requests_in_the_admin(
    client, join, make_group, organiser, organisation, other_organisation, make_staff,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from convoca.coalition.services import join_request_confirm

    group = make_group(organisation=organisation, joining=WorkingGroup.Joining.REQUEST)
    join(group)
    join_request_confirm(join_request=JoinRequest.objects.get())
    outsider = make_staff("outsider", "organiser", other_organisation)
    client.force_login(outsider)
    assert "Sanctions campaign" not in client.get("/admin/coalition/joinrequest/").text

    client.force_login(organiser)
    request = JoinRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/coalition/joinrequest/",
            {"action": "accept", "_selected_action": [str(request.pk)]},
        )
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.ACCEPTED
    assert request.reviewed_by == "organiser"


def test_a_second_request_while_one_is_open_sends_no_second_email(join, make_group, smtp_sink):
    group = make_group(joining=WorkingGroup.Joining.REQUEST)
    join(group)
    join(group)
    assert JoinRequest.objects.count() == 1
    assert len(smtp_sink.messages) == 1


def test_the_directory_shows_what_each_organisation_chose(client, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(
        website="https://snt.example.org",
        city="Tucson",
        show_website=False,
        show_city=True,
        show_description=False,
    )
    organisation_save(
        organisation=Organisation.objects.get(pk=organisation.pk),
        texts={"en": {"description": "A volunteer network."}},
    )
    page = client.get("/en/organisations/").text
    assert "Solidarity Network Tucson" in page
    assert "Tucson</span>" in page
    assert "snt.example.org" not in page
    assert "A volunteer network." not in page
    assert "/en/join-the-coalition/" in page


def test_erasing_a_member_removes_them_from_groups_and_requests(join, make_group):
    from convoca.people.services import person_erase

    group = make_group(joining=WorkingGroup.Joining.REQUEST)
    join(group)
    person = JoinRequest.objects.get().person
    person_erase(person=person)
    assert not JoinRequest.objects.exists()


def test_a_member_added_in_the_admin_joins_like_one_from_the_site(
    client, coordinator, make_group, organisation
):
    from convoca.people.services import PersonData, person_upsert

    group = make_group()
    person = person_upsert(data=PersonData(email="eva@example.org")).person
    client.force_login(coordinator)
    prefix = "members"
    response = client.post(
        f"/admin/coalition/workinggroup/{group.pk}/change/",
        {
            **_texts_posted(group),
            "slug": group.slug,
            "kind": group.kind,
            "organisation": "",
            "joining": group.joining,
            "is_public": "on",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-person": str(person.pk),
            f"{prefix}-0-role": "member",
            f"{prefix}-0-on_behalf_of": str(organisation.pk),
            f"{prefix}-0-public_name": "Eva",
            f"{prefix}-0-group": str(group.pk),
        },
    )

    assert response.status_code == 302
    member = WorkingGroupMember.objects.get()
    assert (member.person, member.on_behalf_of) == (person, organisation)
    assert Activity.objects.filter(person=person, kind="joined_group").count() == 1
    page = client.get("/en/working-groups/sanctions/").text
    assert "Organisations taking part" in page and "Solidarity Network Tucson" in page


def test_a_new_working_group_gets_a_private_members_list_that_its_members_are_on(organisation):
    from convoca.coalition.services import working_group_member_add, working_group_save
    from convoca.mailings.models import MailingList, Subscription
    from convoca.people.services import PersonData, person_upsert

    group = working_group_save(
        group=WorkingGroup(slug="media", organisation=organisation),
        texts={"en": {"name": "Media"}, "es": {"name": "Medios"}},
    )
    members_list = group.mailing_list
    assert (members_list.is_public, members_list.purpose) == (False, MailingList.Purpose.GROUP)
    assert dict(members_list.versions.values_list("language", "name")) == {
        "en": "Media",
        "es": "Medios",
    }
    assert members_list.text_in("description", "es") == "Los miembros de un grupo de trabajo."
    assert working_group_save(group=group).mailing_list == members_list  # saved again: same list

    person = person_upsert(data=PersonData(email="m@example.org"), confirmed=True).person
    working_group_member_add(group=group, person=person)
    subscription = Subscription.objects.get(mailing_list=members_list, person=person)
    assert subscription.status == Subscription.Status.SUBSCRIBED


def test_a_mangled_join_link_says_it_does_not_work_and_a_new_one_can_be_asked_for(
    client, join, make_group, smtp_sink, django_capture_on_commit_callbacks, signed_days_ago
):
    from django.urls import reverse

    from convoca.coalition.services import join_request_confirm_token_make

    join(make_group())
    [first] = smtp_sink.messages
    mangled = _path(first)[:-8] + "/"
    page = client.get(mangled)
    assert page.status_code == 400
    assert "This link does not work" in page.text
    assert "expired" not in page.text

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/en/working-groups/confirm/new-link/", {"email": "luis@example.org"})
    assert "Check your inbox" in answer.text
    [_first, fresh] = smtp_sink.messages
    with django_capture_on_commit_callbacks(execute=True):
        assert "you are now a member" in client.post(_path(fresh)).text

    with signed_days_ago(15):
        token = join_request_confirm_token_make(join_request=JoinRequest.objects.get())
    page = client.get(reverse("coalition:join-confirm", kwargs={"token": token}))
    assert page.status_code == 410
    assert "Confirmation links work for 14 days" in page.text


def _texts_posted(group) -> dict:
    """The group's texts as its admin page posts them back: one block per language."""
    texts = list(group.versions.order_by("language"))
    posted = {"versions-TOTAL_FORMS": len(texts), "versions-INITIAL_FORMS": len(texts)}
    for n, text in enumerate(texts):
        posted.update(
            {
                f"versions-{n}-id": text.pk,
                f"versions-{n}-shared": group.pk,
                f"versions-{n}-language": text.language,
                f"versions-{n}-name": text.name,
                f"versions-{n}-purpose": text.purpose,
                f"versions-{n}-description": text.description,
            }
        )
    return posted
