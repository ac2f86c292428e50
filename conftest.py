"""Fixtures every test can use."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from convoca.organisations.models import Membership, Organisation
from convoca.organisations.services import staff_member_create

_DB_FIXTURES = {"db", "transactional_db", "live_server"}


def pytest_collection_modifyitems(items):
    """A test with the database has every database: on SQLite, intakes have their own file.

    The test keeps what its own ``django_db`` marker asks for (a transactional
    test stays one); only ``databases`` is widened.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and not _DB_FIXTURES.intersection(item.fixturenames):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs["databases"] = "__all__"
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs))


@pytest.fixture(autouse=True)
def _clear_caches():
    """Rate-limit counters and cached pages never leak from one test to the next."""
    from django.core.cache import caches

    from convoca.actions.selectors import action_signing_cache_clear

    for cache in caches.all(initialized_only=True):
        cache.clear()
    action_signing_cache_clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language.

    A request in Spanish leaves Spanish active in the test's thread
    (LocaleMiddleware activates it and nothing switches back), which would
    change what the next test's code renders outside a request.
    """
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(
        name="Solidarity Network Tucson",
        slug="snt",
        country="US",
        status=Organisation.Status.ACTIVE,
    )


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(
        name="Comité de Solidaridad", slug="csi", country="MX", status=Organisation.Status.ACTIVE
    )


@pytest.fixture
def make_staff(db):
    def make(username, role, organisation=None):
        return staff_member_create(
            username=username,
            email=f"{username}@example.org",
            password="a-long-test-password",
            role=role,
            organisation=organisation,
        )

    return make


@pytest.fixture
def organiser(make_staff, organisation):
    return make_staff("organiser", Membership.Role.ORGANISER, organisation)


@pytest.fixture
def coordinator(make_staff):
    return make_staff("coordinator", Membership.Role.COORDINATOR)


@pytest.fixture
def signed_days_ago(monkeypatch):
    """``with signed_days_ago(31):`` signs links (``django.core.signing``) as that long ago."""
    import time
    from contextlib import contextmanager

    from django.core import signing

    @contextmanager
    def back(days: float):
        with monkeypatch.context() as patch:
            stamp = signing.b62_encode(int(time.time() - days * 86400))
            patch.setattr(signing.TimestampSigner, "timestamp", lambda self: stamp)
            yield

    return back


class _Sink:
    """Collects the messages an aiosmtpd server receives."""

    def __init__(self):
        self.messages = []
        self.refused: set[str] = set()  # recipients answered "550", as a full mailbox is
        self.deferred: set[str] = set()  # recipients answered "451", as when greylisted
        self.sender_refused = False  # MAIL FROM answered "553", as a relay that dislikes us
        self.controller = None
        self._lock = threading.Lock()

    def stop(self):
        """The mail server goes down: connections to its port are refused."""
        self.controller.stop()

    def start(self):
        """The mail server is back, on the same port."""
        self.controller = Controller(
            self, hostname=self.controller.hostname, port=self.controller.port
        )
        self.controller.start()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.sender_refused:
            return "553 Sender address rejected"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 Mailbox unavailable"
        if address in self.deferred:
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        with self._lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "connection": id(server),  # one SMTP session, one server object
                    "message": message_from_bytes(envelope.content, policy=policy.default),
                    "raw": bytes(envelope.content),  # as received, for what a parser hides
                }
            )
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on localhost; Django's SMTP backend talks to it."""
    sink = _Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.controller = controller
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield sink
    finally:
        if sink.controller.server is not None:
            sink.controller.stop()


@pytest.fixture
def migrate_to():
    """Migrate the test database to ``targets`` (``None``: every app's latest migration).

    Returns the models as the database now has them: the targets' apps as
    they were then, every other app as far as the migrations still applied
    take it (going back may undo other apps' migrations that depend on a
    target's later ones). For a test that fills an old schema through
    historical models and migrates forward.
    """

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        if targets is None:
            targets = executor.loader.graph.leaf_nodes()
        executor.migrate(targets)
        executor.loader.build_graph()
        applied = [
            key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes
        ]
        return executor.loader.project_state(applied).apps

    return migrate
