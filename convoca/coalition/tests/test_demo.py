import pytest

from convoca.coalition.models import AffiliationRequest, JoinRequest, WorkingGroup
from convoca.core.demo import demo_load
from convoca.inbox.models import ContactMessage


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()


def test_the_demo_has_pending_applications_groups_with_members_and_an_inbox(demo, client):
    assert AffiliationRequest.objects.filter(status="pending").count() == 2
    assert JoinRequest.objects.filter(status="pending").count() == 2
    strategy = WorkingGroup.objects.get(kind=WorkingGroup.Kind.STRATEGY_BODY)
    assert strategy.members.exists()
    assert WorkingGroup.objects.get(slug="sanctions").members.count() == 4
    assert set(ContactMessage.objects.values_list("status", flat=True)) == {
        "new",
        "assigned",
        "answered",
        "closed",
    }

    page = client.get("/es/grupos-de-trabajo/sanctions/").text
    assert "James Okafor" in page and "Jorge Campos" not in page
    assert "Comité de estrategia" in client.get("/es/grupos-de-trabajo/").text
