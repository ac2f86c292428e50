"""The demo actions, as a visitor to a fresh ``convoca demo`` sees them."""

import html
import re

import pytest

from convoca.actions.models import Action, CountryTally, Endorsement, Signature, Tally
from convoca.actions.selectors import action_figures
from convoca.actions.services import SignatureData, signature_confirm, signature_create
from convoca.core.crypto import email_index
from convoca.core.demo import demo_load
from convoca.people.models import Activity, Consent, Person
from convoca.people.services import PersonData

LEADERS = [
    ("Rosa Villanueva", "Sindicato Nacional de Trabajadores de la Salud (ejemplo)"),
    ("Margaret O'Connell", "Transport and General Workers' Federation (example)"),
    ("Thabo Mokoena", "National Union of Mineworkers (example)"),
    ("Nikos Papadakis", "Federation of Dock and Port Workers (example)"),
]


@pytest.fixture
def demo(db):
    demo_load()
    return {action.slug: action for action in Action.objects.all()}


def _page(client, url) -> str:
    """The page's text, as a reader sees it: no tags, entities decoded, spaces collapsed."""
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def _between(text, start, end) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_appeal_counts_1500_people_from_65_countries_in_both_languages(client, demo):
    english, spanish = demo["stop-the-blockade"], demo["fin-al-bloqueo"]
    assert english.translation_key == spanish.translation_key
    assert english.is_open and spanish.is_open

    page = _page(client, "/en/actions/stop-the-blockade/")
    assert "Solidarity appeal: stop the blockade, let medicine through" in page
    assert "1,500 people from 65 countries" in page
    assert "Next goal: 2,500" in page  # the goal of 1,000 was passed
    assert "Representing more than 5,000,000 members" in page
    featured = _between(page, "Among the signers", "By country")
    for name, union in LEADERS:
        assert name in featured
        assert union in featured
    assert featured.index("Rosa Villanueva") < featured.index("Nikos Papadakis")  # most members
    assert "By country United States of America 244 Mexico 158 Argentina 111 Spain 101" in page

    page = _page(client, "/es/acciones/fin-al-bloqueo/")
    assert "Llamamiento solidario: fin al bloqueo, que pasen las medicinas" in page
    assert "1 500 personas de 65 países" in page
    assert "Próxima meta: 2 500" in page
    assert "Representan a más de 5 000 000 afiliados" in page
    assert "Rosa Villanueva" in _between(page, "Entre quienes firman", "Por país")

    signers = _page(client, "/en/actions/stop-the-blockade/signers/")
    assert "Someone from" in signers
    assert "Page 1 of" in signers
    assert "@example.org" not in signers

    letter = _page(client, "/en/actions/open-letter-trade-unionists/")
    assert "120 people from 38 countries" in letter
    assert "Representing more than 5,500,000 members" in letter
    assert "Thabo Mokoena" in _between(letter, "Among the signers", "By country")
    assert "Latest signers" in letter
    assert "Carta abierta de sindicalistas" in _page(
        client, "/es/acciones/carta-abierta-sindicalistas/"
    )


def test_the_endorsement_call_lists_approved_organisations_and_the_pledge_no_names(client, demo):
    assert demo["endorse-the-joint-statement"].translation_key == (
        demo["adhesion-declaracion-conjunta"].translation_key
    )
    endorsements = Endorsement.objects.all()
    approved = endorsements.filter(status=Endorsement.Status.APPROVED)
    pending = endorsements.filter(status=Endorsement.Status.PENDING)
    assert (endorsements.count(), approved.count(), pending.count()) == (40, 36, 4)

    page = _page(client, "/en/actions/endorse-the-joint-statement/")
    assert "Endorsed by 36 organisations in 15 countries" in page
    listed = page[page.index("Endorsing organisations") :]
    for endorsement in approved:
        assert endorsement.name in listed
    for endorsement in pending:
        assert endorsement.name not in page
    assert "Workers' Solidarity Forum" in listed  # a demo organisation, through a demo supporter
    page = _page(client, "/es/acciones/adhesion-declaracion-conjunta/")
    assert "Con la adhesión de 36 organizaciones en 15 países" in page
    assert "Asociación Amistad entre los Pueblos" in page

    pledge = demo["pledge-of-resistance"]
    assert pledge.translation_key == demo["compromiso-de-resistencia"].translation_key
    pledgers = [
        s.person
        for s in Signature.objects.filter(translation_key=pledge.translation_key).select_related(
            "person"
        )
    ]
    assert len(pledgers) == 60
    assert all(p.city and p.postal_code for p in pledgers)
    for url, count in [
        ("/en/actions/pledge-of-resistance/", "60 people have taken the pledge"),
        ("/es/acciones/compromiso-de-resistencia/", "60 personas asumieron el compromiso"),
    ]:
        page = _page(client, url)
        assert count in page
        for person in pledgers:
            assert person.full_name not in page
            assert person.email not in page
    assert "If ships carrying food or medicine are stopped by force" in _page(
        client, "/en/actions/pledge-of-resistance/"
    )


def test_the_bulk_made_rows_are_what_signing_would_have_made(demo):
    appeal = demo["stop-the-blockade"]
    for tally in Tally.objects.all():
        counted = Signature.objects.filter(translation_key=tally.translation_key, counted=True)
        assert tally.count == counted.count() == counted.filter(confirmed_at__isnull=False).count()
        by_country = CountryTally.objects.filter(translation_key=tally.translation_key)
        assert sum(row.count for row in by_country) == tally.count
    assert Signature.objects.filter(translation_key=appeal.translation_key, counted=False).exists()

    for person in Person.objects.all():  # every demo person decrypts and is found by email
        assert person.email.endswith("@example.org")
        assert person.email_index == email_index(person.email)
    signed = Activity.objects.filter(kind=Activity.Kind.SIGNED, subject_id=str(appeal.pk))
    assert signed.exists()
    assert Consent.objects.filter(organisation=appeal.organisation, source=f"actions:{appeal.slug}")

    # A demo signer signing again is recognised; a newcomer is counted on top.
    signer = Signature.objects.filter(action=appeal, counted=True).first().person
    again = signature_create(
        action=appeal, data=SignatureData(person=PersonData(email=signer.email.upper()))
    )
    assert not again.created
    new = signature_create(
        action=appeal,
        data=SignatureData(person=PersonData(email="new@example.org", country="MX")),
    ).signature
    signature_confirm(signature=new)
    figures = action_figures(appeal)
    assert (figures.count, figures.countries, figures.goal) == (1501, 65, 2500)
