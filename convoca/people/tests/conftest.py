import pytest

from convoca.people.services import PersonData, person_upsert


@pytest.fixture
def make_person(db):
    def make(email="ana@example.org", confirmed=True, **fields):
        return person_upsert(data=PersonData(email=email, **fields), confirmed=confirmed).person

    return make
