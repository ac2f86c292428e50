import pytest

from convoca.actions.models import ACTION_SHARED_FIELDS, Action
from convoca.actions.services import action_create


@pytest.fixture
def make_action(organisation):
    def make(**fields):
        defaults = {
            "language": "en",
            "title": "Lift the sanctions",
            "slug": "lift-the-sanctions",
            "organisation": organisation,
            "status": Action.Status.OPEN,
            "goal": 100,
        }
        key = fields.pop("translation_key", None)
        if key is not None:  # another language of an action: it shares the rest
            original = Action.objects.filter(shared_id=key).first()
            texts = {
                k: v for k, v in {**defaults, **fields}.items() if k not in ACTION_SHARED_FIELDS
            }
            for name, value in fields.items():
                assert name not in ACTION_SHARED_FIELDS or getattr(original, name) == value, name
            return action_create(translation_of=original, **texts)
        return action_create(**{**defaults, **fields})

    return make


@pytest.fixture
def appeal(make_action):
    return make_action()


@pytest.fixture
def sign(client, django_capture_on_commit_callbacks):
    """POST the signing form as a browser without JavaScript would.

    What the request leaves for after its commit (recording the signature,
    the confirmation email) runs before this returns.
    """

    def post(action, **fields):
        data = {
            "given_name": "Ana",
            "family_name": "López",
            "email": "ana@example.org",
            "country": "MX",
            **fields,
        }
        url = action.get_absolute_url() + ("firmar/" if action.language == "es" else "sign/")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a call leaves for after its transaction (recording, emails)."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run
