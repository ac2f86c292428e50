"""Scale benchmark: a segment count and a CSV export against a million people, on PostgreSQL.

DESIGN.md ("Budgets"): "One million people and five million signatures: a segment count
in under a second on PostgreSQL; a CSV export streamed in constant memory."

Creates the database of ``--postgres-url`` afresh (``DROP DATABASE ... WITH (FORCE)``
first), migrates it with a throwaway data folder and key file, and fills it with set-based
SQL (``INSERT ... SELECT ... FROM generate_series``): 4 organisations, 20 actions in 12
translation groups (8 in English and Spanish, 4 in one language), N people in 11
countries, M signatures, news-list and coalition-list subscriptions with their contact
consents, tags and suppressed addresses. Then ``VACUUM ANALYZE``. Then:

- segments: for several mailings (draft, so not yet sent) it times
  ``mailing_recipient_count``, the exact count the admin shows before sending, 5 runs
  each, and prints the best and the median against 1 s (PASS/FAIL on the median);
- export: it streams ``signature_export_csv`` (what the admin's export view streams) of
  a small action (about 10,000 signatures) and of a large one (150,000), discarding the
  bytes, and measures rows/s and the peak memory growth of the process: the resident
  set's high-water mark (``VmHWM``, reset before each export) and, in a second pass,
  tracemalloc's peak. Constant memory means the large export's peak is within 1.5 times
  the small one's.

Encrypted columns: the people who signed the two exported actions, and those
signatures, hold real values encrypted through the model fields' own ``pre_save`` (the
associated data binds table, column and primary key), so the export really decrypts.
Every other row holds one placeholder ciphertext that decrypts nowhere: open such a
person in the admin of a ``--keep`` database and it raises ``DecryptionError``. Blind
indexes are unique per person.

    uv run python bench/scale.py [--people 1000000] [--signatures 5000000] [--keep]
    uv run python bench/scale.py --people 100000 --signatures 500000   # a quick try

Results are written to bench/results/scale-*.json. The exit code is 1 when a count is
wrong or an export does not yield every row, 0 otherwise: the timing lines are printed as
PASS or FAIL (the machine is shared) but do not set it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.signing import postgres_database  # noqa: E402

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/convoca_scale"
COUNT_BUDGET_SECONDS = 1.0
MEMORY_RATIO_BUDGET = 1.5
RUNS = 5

#: (country, percent, Spanish-speaking): the people's countries, by share.
COUNTRIES = [
    ("ES", 20, True), ("MX", 15, True), ("AR", 10, True), ("CO", 10, True),
    ("CL", 5, True), ("PE", 5, True), ("GB", 10, False), ("US", 10, False),
    ("FR", 5, False), ("DE", 5, False), ("IT", 5, False),
]  # fmt: skip
#: Share of each translation group's signers in the people, beyond the two exported
#: groups (0: large, 1: small, both signed by the people with real encrypted data). The
#: signatures left after those two are shared out in these proportions.
GROUP_WEIGHTS = [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.35, 0.25, 0.2, 0.09]
BILINGUAL_GROUPS = 8  # groups 0-7 have an English and a Spanish version; 8-11 one only
LARGE_EXPORT = 150_000
SMALL_EXPORT = 10_000
#: Percent of people on each organisation's news list, and on the coalition's list.
NEWS_LISTS = [45, 25, 15, 10]
COALITION_LIST = 30
#: (name, organisation index or None for the coalition, percent of people).
TAGS = [("speaker", 0, 2), ("union", None, 5), ("volunteer", 1, 10)]
GIVEN = ["Ana", "Bruno", "Chiara", "Dmitri", "Esperanza", "Farid", "Grace", "Hugo", "Inés"]
FAMILY = ["García", "López", "Smith", "Moreau", "Rossi", "Müller", "Pérez", "Silva", "Núñez"]
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def h(n: str, salt: int, modulo: int = 100) -> str:
    """SQL: a deterministic pseudo-random number in [0, modulo) for row ``n``.

    The ``%%`` is for the driver: every statement goes with parameters.
    """
    return f"((hashint8extended({n}::bigint, {salt}) & 1048575) %% {modulo})"


# --- Generation -------------------------------------------------------------------------


class Loader:
    """Runs the generating SQL on one connection, timing each step."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.steps: dict[str, float] = {}

    def sql(self, statement: str, params=None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params or {})
            return cursor.rowcount

    def step(self, name: str):
        loader = self

        class _Step(contextlib.ContextDecorator):
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                seconds = time.perf_counter() - self.started
                loader.steps[name] = round(seconds, 2)
                log(f"  {name}: {seconds:.1f} s")

        return _Step()


BULK_TABLES = [
    "people_person",
    "actions_signature",
    "mailings_subscription",
    "people_consent",
    "people_persontag",
    "mailings_suppression",
]


def indexes_drop(loader: Loader) -> list[str]:
    """Drop the secondary indexes and constraints of the bulk tables; return how to restore.

    Loading millions of rows is much faster into bare tables, with each index then built
    once. Primary keys stay (other tables' foreign keys hang on them). The restore
    statements are PostgreSQL's own definitions of what the migrations made.
    """
    restore = []
    with loader.connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            # Unique constraints first (they make the indexes foreign keys may need).
            restore += [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]
            restore += [d for _n, d in indexes]
    return restore


def fixtures_create(args) -> dict:
    """Organisations, actions, lists, tags and a coordinator, through the ORM (a few rows)."""
    from django.contrib.auth import get_user_model

    from convoca.actions.models import Action
    from convoca.actions.services import action_create
    from convoca.mailings.models import MailingList
    from convoca.mailings.services import mailing_list_create
    from convoca.organisations.models import Organisation
    from convoca.people.models import Tag

    organisations = [
        Organisation.objects.create(
            name=f"Scale organisation {i}", slug=f"scale-{i}", status=Organisation.Status.ACTIVE
        )
        for i in range(len(NEWS_LISTS))
    ]
    groups = []
    for g in range(BILINGUAL_GROUPS + 4):
        languages = ["en", "es"] if g < BILINGUAL_GROUPS else ["es" if g % 2 else "en"]
        versions = {}
        for language in languages:
            first = next(iter(versions.values()), None)
            shared = {
                "organisation": organisations[g % len(organisations)],
                "status": Action.Status.OPEN,
            }
            versions[language] = action_create(
                translation_of=first,
                language=language,
                slug=f"scale-{g}",
                title=f"Scale action {g} ({language})",
                **({} if first else shared),
            )
        key = next(iter(versions.values())).translation_key
        groups.append({"key": key, "versions": versions})
    news = [
        mailing_list_create(
            organisation=organisation,
            slug=f"scale-news-{i}",
            name={"en": f"News {i}", "es": f"Noticias {i}"},
            description={},
            is_public=False,
            purpose=MailingList.Purpose.NEWS,
        )
        for i, organisation in enumerate(organisations)
    ]
    coalition = mailing_list_create(
        organisation=None, slug="scale-alerts", name={"en": "Alerts"}, description={}
    )
    tags = [
        Tag.objects.create(name=name, organisation=organisations[o] if o is not None else None)
        for name, o, _percent in TAGS
    ]
    User = get_user_model()
    coordinator = User.objects.create(
        **{User.USERNAME_FIELD: "scale-coordinator"},
        is_superuser=True,
        is_staff=True,
        is_active=True,
    )
    return {
        "organisations": organisations,
        "groups": groups,
        "news": news,
        "coalition": coalition,
        "tags": tags,
        "coordinator": coordinator,
    }


def group_sizes(people: int, signatures: int) -> list[int]:
    """Signers per translation group: exact, adding up to ``signatures``."""
    large = min(LARGE_EXPORT, people // 4)
    small = min(SMALL_EXPORT, people // 50)
    rest = signatures - large - small
    if rest > len(GROUP_WEIGHTS) * people:
        sys.exit("bench: more signatures than people times actions; raise --people.")
    total = sum(GROUP_WEIGHTS)
    sizes = [min(people, math.floor(rest * w / total)) for w in GROUP_WEIGHTS]
    # Share out what rounding and the cap left, to the groups with room.
    left = rest - sum(sizes)
    for i in range(len(sizes)):
        room = min(left, people - sizes[i])
        sizes[i] += room
        left -= room
    return [large, small, *sizes]


def people_numbers_create(loader: Loader, people: int) -> None:
    """scale_n: person number n -> its key and clear attributes, the source of every insert."""
    country = "CASE " + " ".join(
        f"WHEN b1 < {sum(p for _c, p, _s in COUNTRIES[: i + 1])} THEN '{code}'"
        for i, (code, _p, _s) in enumerate(COUNTRIES)
    ) + " END"  # fmt: skip
    spanish = ", ".join(f"'{code}'" for code, _p, s in COUNTRIES if s)
    loader.sql(
        f"""
        CREATE UNLOGGED TABLE scale_n AS
        SELECT n, md5('person-' || n)::uuid AS id, country,
               CASE WHEN country IN ({spanish}) THEN (CASE WHEN b2 < 88 THEN 'es' ELSE 'en' END)
                    ELSE (CASE WHEN b2 < 6 THEN 'es' ELSE 'en' END) END AS language,
               n %% 200 = 199 AS erased,
               b3 < 85 AS confirmed,
               %(epoch)s + n * interval '20 seconds' AS created_at
        FROM (SELECT n, {country} AS country, b2, b3
              FROM (SELECT n, {h("n", 1)} AS b1, {h("n", 2)} AS b2, {h("n", 3)} AS b3
                    FROM generate_series(0, %(last)s) n) s) t
        """,
        {"epoch": EPOCH, "last": people - 1},
    )
    loader.sql("ALTER TABLE scale_n ADD PRIMARY KEY (n)")


def copy_rows(loader: Loader, table: str, columns: list[str], rows) -> int:
    written = 0
    with (
        loader.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def encrypted(instance, *names: str) -> list[str]:
    """The stored form of ``instance``'s encrypted fields: what saving it would write."""
    return [instance._meta.get_field(name).pre_save(instance, add=True) for name in names]


def people_real_copy(loader: Loader, upto: int) -> int:
    """People 0..upto-1 with real addresses and names, encrypted as the model encrypts them."""
    from convoca.core.crypto import email_index
    from convoca.people.models import Person

    with loader.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n, id, country, language, erased, confirmed, created_at FROM scale_n "
            "WHERE n < %s ORDER BY n",
            [upto],
        )
        source = cursor.fetchall()
    columns = [
        "created_at", "updated_at", "id", "email_index", "email", "given_name", "family_name",
        "phone", "street_address", "postal_code", "city", "country", "language",
        "email_confirmed_at", "erased_at",
    ]  # fmt: skip

    def rows():
        for n, pk, country, language, erased, confirmed, created in source:
            if erased:
                values, index = ["", "", ""], None
            else:
                email = f"scale{n:07d}@example.org"
                person = Person(
                    id=pk,
                    email=email,
                    given_name=GIVEN[n % len(GIVEN)],
                    family_name=FAMILY[n // 7 % len(FAMILY)],
                )
                values = encrypted(person, "email", "given_name", "family_name")
                index = email_index(email)
            yield [
                created, created, pk, index, *values, "", "", "", "", country, language,
                created + timedelta(minutes=3) if confirmed else None,
                created + timedelta(days=30) if erased else None,
            ]  # fmt: skip

    return copy_rows(loader, "people_person", columns, rows())


def people_bulk_insert(loader: Loader, start: int) -> int:
    """Every other person: one placeholder ciphertext, a unique blind index."""
    from convoca.core import crypto

    placeholder = {
        column: crypto.encrypt(text, associated_data=f"people_person.{column}:placeholder")
        for column, text in [
            ("email", "someone@example.org"),
            ("given_name", "Ana"),
            ("family_name", "García"),
        ]
    }
    return loader.sql(
        """
        INSERT INTO people_person (created_at, updated_at, id, email_index, email, given_name,
            family_name, phone, street_address, postal_code, city, country, language,
            email_confirmed_at, erased_at)
        SELECT created_at, created_at, id,
               CASE WHEN erased THEN NULL ELSE encode(sha256(('scale-' || n)::bytea), 'hex') END,
               CASE WHEN erased THEN '' ELSE %(email)s END,
               CASE WHEN erased THEN '' ELSE %(given_name)s END,
               CASE WHEN erased THEN '' ELSE %(family_name)s END,
               '', '', '', '', country, language,
               CASE WHEN confirmed THEN created_at + interval '3 minutes' END,
               CASE WHEN erased THEN created_at + interval '30 days' END
        FROM scale_n WHERE n >= %(start)s
        """,
        {**placeholder, "start": start},
    )


SIGNATURE_COLUMNS = [
    "created_at", "updated_at", "id", "translation_key", "organisation_name", "role",
    "comment", "members_represented", "country", "visibility", "source", "confirmed_at",
    "counted", "featured", "purged_at", "action_id", "person_id",
]  # fmt: skip
VISIBILITIES = ["hidden"] * 4 + ["country"] * 2 + ["name"] * 3 + ["full"]


def signatures_real_copy(loader: Loader, group: dict, g: int, first: int, size: int) -> int:
    """The signatures of an exported group: people first..first+size-1, some with a comment."""
    from convoca.actions.models import Signature

    with loader.connection.cursor() as cursor:
        cursor.execute(
            "SELECT n, id, country, language, created_at FROM scale_n "
            "WHERE n >= %s AND n < %s ORDER BY n",
            [first, first + size],
        )
        source = cursor.fetchall()
    versions = group["versions"]

    def rows():
        for n, person_id, country, language, created in source:
            signed = created + timedelta(days=g, seconds=n % 3600)
            confirmed = n % 10 != 0
            signature = Signature(
                id=uuid.uuid4(),
                organisation_name="Sindicato de Sanidad" if n % 10 == 1 else "",
                role="delegate" if n % 10 == 1 else "",
                comment=f"Because {GIVEN[n % len(GIVEN)]} asked me to." if n % 5 == 2 else "",
            )
            action = versions.get(language) or next(iter(versions.values()))
            yield [
                signed, signed, signature.id, group["key"],
                *encrypted(signature, "organisation_name", "role", "comment"),
                120 if n % 10 == 1 else None, country, VISIBILITIES[n % len(VISIBILITIES)],
                "newsletter" if n % 4 == 0 else "",
                signed + timedelta(minutes=4) if confirmed else None, confirmed, False, None,
                action.pk, person_id,
            ]  # fmt: skip

    return copy_rows(loader, "actions_signature", SIGNATURE_COLUMNS, rows())


def signatures_bulk_insert(loader: Loader, group: dict, g: int, size: int) -> int:
    """A group's signers: exactly ``size`` people, a different random draw for each group."""
    versions = group["versions"]
    en = (versions.get("en") or versions["es"]).pk
    es = (versions.get("es") or versions["en"]).pk
    visibility = "CASE " + " ".join(
        f"WHEN {h('n', 500 + g, 10)} = {i} THEN '{v}'" for i, v in enumerate(VISIBILITIES)
    ) + " END"  # fmt: skip
    return loader.sql(
        f"""
        INSERT INTO actions_signature ({", ".join(SIGNATURE_COLUMNS)})
        SELECT t, t, gen_random_uuid(), %(key)s, '', '', '', NULL, p.country, {visibility},
               CASE WHEN {h("n", 600 + g, 4)} = 0 THEN 'newsletter' ELSE '' END,
               CASE WHEN c THEN t + interval '4 minutes' END, c, false, NULL,
               CASE WHEN p.language = 'es' THEN %(es)s ELSE %(en)s END, p.id
        FROM (SELECT * FROM scale_n ORDER BY hashint8extended(n, 100 + %(day)s)
              LIMIT %(size)s) p,
        LATERAL (SELECT p.created_at + %(day)s * interval '1 day'
                            + ({h("p.n", 700 + g, 3600)}) * interval '1 second' AS t,
                        {h("p.n", 800 + g, 10)} <> 0 AS c) x
        """,
        {
            "key": group["key"],
            "en": en,
            "es": es,
            "size": size,
            "day": g,
        },
    )


def subscriptions_insert(loader: Loader, fixtures: dict) -> int:
    lists = [(m.pk, percent) for m, percent in zip(fixtures["news"], NEWS_LISTS, strict=True)]
    lists.append((fixtures["coalition"].pk, COALITION_LIST))
    total = 0
    for k, (list_id, percent) in enumerate(lists):
        total += loader.sql(
            f"""
            INSERT INTO mailings_subscription (created_at, updated_at, status, source,
                requested_at, confirmed_at, unsubscribed_at, mailing_list_id, person_id)
            SELECT t, t, status, 'signature', t,
                   CASE WHEN status <> 'pending' THEN t + interval '3 minutes' END,
                   CASE WHEN status = 'unsubscribed' THEN t + interval '60 days' END,
                   %(list)s, id
            FROM (SELECT id, created_at + interval '1 minute' AS t,
                         CASE WHEN {h("n", 400 + k)} < 92 THEN 'subscribed'
                              WHEN {h("n", 400 + k)} < 96 THEN 'unsubscribed'
                              ELSE 'pending' END AS status
                  FROM scale_n WHERE NOT erased AND {h("n", 300 + k)} < %(percent)s) s
            """,
            {"list": list_id, "percent": percent},
        )
    return total


def consents_insert(loader: Loader) -> int:
    """A contact consent to the organisation for each news-list place (withdrawn if it left)."""
    return loader.sql(
        """
        INSERT INTO people_consent (purpose, subject_id, wording, source, given_at,
            withdrawn_at, organisation_id, subject_type_id, person_id)
        SELECT 'contact', '', 'Keep me informed about this campaign.', 'signature',
               s.created_at, s.unsubscribed_at, l.organisation_id, NULL, s.person_id
        FROM mailings_subscription s JOIN mailings_mailinglist l ON l.id = s.mailing_list_id
        WHERE l.purpose = 'news'
        """
    )


def tags_insert(loader: Loader, fixtures: dict) -> int:
    total = 0
    for k, (tag, (_name, _org, percent)) in enumerate(zip(fixtures["tags"], TAGS, strict=True)):
        total += loader.sql(
            f"""
            INSERT INTO people_persontag (added_at, person_id, tag_id)
            SELECT created_at + interval '1 day', id, %(tag)s FROM scale_n
            WHERE NOT erased AND {h("n", 900 + k)} < %(percent)s
            """,
            {"tag": tag.pk, "percent": percent},
        )
    return total


def suppressions_insert(loader: Loader) -> int:
    return loader.sql(
        f"""
        INSERT INTO mailings_suppression (email_index, reason, detail, created_at)
        SELECT p.email_index, CASE WHEN {h("n", 1000, 2)} = 0 THEN 'bounced'
                                   ELSE 'unsubscribed' END, '', p.created_at + interval '90 days'
        FROM scale_n n JOIN people_person p USING (id)
        WHERE NOT n.erased AND {h("n.n", 1001)} = 0
        """
    )


def generate(args, loader: Loader) -> dict:
    """Fill the database; return the fixtures and what was made."""
    from convoca.core import crypto

    # The first encryption of a process checks the keyring against the database: not
    # inside a COPY, which has the connection to itself.
    crypto.keyring_verify()
    fixtures = fixtures_create(args)
    sizes = group_sizes(args.people, args.signatures)
    real_people = sizes[0] + sizes[1]
    made: dict[str, int] = {}
    # One transaction per step; the loader's session may use memory for index builds.
    loader.sql("SET maintenance_work_mem = '512MB'")
    loader.sql("SET synchronous_commit = off")
    with loader.step("drop secondary indexes"):
        restore = indexes_drop(loader)
    with loader.step("person numbers (scale_n)"):
        people_numbers_create(loader, args.people)
    with loader.step(f"people with real encrypted data ({real_people:,}, COPY)"):
        made["people_real"] = people_real_copy(loader, real_people)
    with loader.step(f"people, the rest ({args.people - real_people:,}, INSERT ... SELECT)"):
        made["people_bulk"] = people_bulk_insert(loader, real_people)
    with loader.step(f"signatures of the exported actions ({real_people:,}, COPY)"):
        groups = fixtures["groups"]
        made["signatures_real"] = signatures_real_copy(loader, groups[0], 0, 0, sizes[0])
        made["signatures_real"] += signatures_real_copy(loader, groups[1], 1, sizes[0], sizes[1])
    with loader.step(f"signatures, the rest ({sum(sizes[2:]):,}, INSERT ... SELECT)"):
        made["signatures_bulk"] = sum(
            signatures_bulk_insert(loader, groups[g], g, sizes[g]) for g in range(2, len(sizes))
        )
    with loader.step("subscriptions, consents, tags, suppressions"):
        made["subscriptions"] = subscriptions_insert(loader, fixtures)
        made["consents"] = consents_insert(loader)
        made["person_tags"] = tags_insert(loader, fixtures)
        made["suppressions"] = suppressions_insert(loader)
    with loader.step(f"rebuild {len(restore)} indexes and constraints"):
        for statement in restore:
            loader.sql(statement)
    loader.sql("DROP TABLE scale_n")
    with loader.step("VACUUM ANALYZE"):
        loader.sql("VACUUM ANALYZE")
    fixtures["sizes"] = sizes
    fixtures["made"] = made
    return fixtures


# --- Segments ---------------------------------------------------------------------------


def segments(fixtures: dict) -> list[tuple[str, list, dict, object]]:
    """(name, lists, audience, organisation) of the mailings to count."""
    groups, news, tags = fixtures["groups"], fixtures["news"], fixtures["tags"]
    org0 = fixtures["organisations"][0]

    def key(g):
        return str(groups[g]["key"])

    return [
        ("news list, everyone", [news[0]], {}, org0),
        ("news list, signed X", [news[0]], {"signed": [key(6)]}, org0),
        (
            "news list, signed X, country in (ES, MX, AR), language es",
            [news[0]],
            {"signed": [key(6)], "countries": ["ES", "MX", "AR"], "languages": ["es"]},
            org0,
        ),
        (
            "news list, signed X but not Y",
            [news[0]],
            {"signed": [key(6)], "exclude_signed": [key(2)]},
            org0,
        ),
        ("coalition list, tag T", [fixtures["coalition"]], {"tags": [str(tags[2].pk)]}, None),
        (
            "two lists, contact consent, signed a small action (9%)",
            [news[0], fixtures["coalition"]],
            {"consent": True, "signed": [key(11)]},
            org0,
        ),
        (
            "coalition list, signed X or Z, not on news list 1, not tag T",
            [fixtures["coalition"]],
            {
                "signed": [key(3), key(5)],
                "exclude_lists": [news[1].pk],
                "exclude_tags": [str(tags[1].pk)],
            },
            None,
        ),
        (
            "news list, signed the large exported action",
            [news[0]],
            {"signed": [key(0)]},
            org0,
        ),
    ]


def count_sql(mailing) -> str:
    """The SQL of the count, as run (for EXPLAIN)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from convoca.mailings.selectors import mailing_recipient_count

    with CaptureQueriesContext(connection) as queries:
        mailing_recipient_count(mailing=mailing)
    return next(q["sql"] for q in reversed(queries.captured_queries) if "COUNT(" in q["sql"])


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def segments_measure(fixtures: dict, *, runs: int, show_plans: bool) -> list[dict]:
    from convoca.mailings.models import Mailing
    from convoca.mailings.selectors import mailing_recipient_count

    results = []
    for name, lists, audience, organisation in segments(fixtures):
        mailing = Mailing.objects.create(
            organisation=organisation,
            subject={"en": name},
            body_markdown={"en": "Hello."},
            audience=audience,
        )
        mailing.lists.set(lists)
        mailing = Mailing.objects.get(pk=mailing.pk)
        times, count = [], None
        for _ in range(runs):
            started = time.perf_counter()
            count = mailing_recipient_count(mailing=mailing)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        ok = median < COUNT_BUDGET_SECONDS
        log(
            f"  {'PASS' if ok else 'FAIL'}  {name}: {count:,} people, best {min(times):.3f} s, "
            f"median {median:.3f} s"
        )
        result = {
            "segment": name,
            "audience": audience,
            "count": count,
            "best_seconds": round(min(times), 4),
            "median_seconds": round(median, 4),
            "runs": [round(t, 4) for t in times],
            "pass": ok,
        }
        if show_plans or not ok:
            sql = count_sql(mailing)
            result["plan"] = explain(sql)
            print(result["plan"])
        results.append(result)
    return results


def segments_check(fixtures: dict, results: list[dict]) -> list[str]:
    """The counts against an independent SQL count of the same definition, for two segments."""
    from django.db import connection

    news0 = fixtures["news"][0].pk
    key = fixtures["groups"][6]["key"]
    base = """
        SELECT count(*) FROM people_person p
        WHERE p.erased_at IS NULL AND p.email_index IS NOT NULL
          AND p.id IN (SELECT person_id FROM mailings_subscription
                       WHERE mailing_list_id = %s AND status = 'subscribed')
          AND p.email_index NOT IN (SELECT email_index FROM mailings_suppression)
    """
    expected = {}
    with connection.cursor() as cursor:
        cursor.execute(base, [news0])
        expected["news list, everyone"] = cursor.fetchone()[0]
        cursor.execute(
            base + " AND p.id IN (SELECT person_id FROM actions_signature "
            "WHERE translation_key = %s AND confirmed_at IS NOT NULL)",
            [news0, key],
        )
        expected["news list, signed X"] = cursor.fetchone()[0]
    errors = []
    for result in results:
        if result["segment"] in expected and expected[result["segment"]] != result["count"]:
            errors.append(
                f"{result['segment']}: counted {result['count']}, "
                f"SQL says {expected[result['segment']]}"
            )
    return errors


# --- Export -----------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def _peak_reset() -> bool:
    """Reset the resident set's high-water mark (Linux: /proc/self/clear_refs, 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def export_measure(action, user, *, trace: bool) -> dict:
    from convoca.actions.exports import signature_export_csv

    gc.collect()
    reset = _peak_reset()
    rss_before = _status_kb("VmRSS")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    cpu = time.process_time()
    size = lines = 0
    first = b""
    for chunk in signature_export_csv(action=action, user=user):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if len(first) < 4096:
            first += chunk[:4096]
    seconds = time.perf_counter() - started
    result = {
        "rows": lines - 1,
        "bytes": size,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "rows_per_second": round((lines - 1) / seconds),
        "first_bytes": first.decode("utf-8", "replace")[:400],
    }
    if trace:
        result["tracemalloc_peak_kb"] = round(tracemalloc.get_traced_memory()[1] / 1024)
        tracemalloc.stop()
    if reset and rss_before is not None:
        result["rss_peak_growth_kb"] = _status_kb("VmHWM") - rss_before
        result["rss_before_kb"] = rss_before
    return result


def exports_measure(fixtures: dict) -> dict:
    from convoca.actions.models import Signature

    user = fixtures["coordinator"]
    large = fixtures["groups"][0]["versions"]["en"]
    small = fixtures["groups"][1]["versions"]["en"]
    expected = {
        name: Signature.objects.filter(
            translation_key=action.translation_key, confirmed_at__isnull=False
        ).count()
        for name, action in (("small", small), ("large", large))
    }
    export_measure(small, user, trace=False)  # warm-up: imports, caches, first cursor
    results = {"small": {}, "large": {}}
    for trace in (False, True):
        for name, action in (("small", small), ("large", large)):
            figures = export_measure(action, user, trace=trace)
            results[name].update(
                {k: v for k, v in figures.items() if not trace or "tracemalloc" in k}
            )
            what = (
                f"tracemalloc peak {figures['tracemalloc_peak_kb']:,} KB"
                if trace
                else f"{figures['rows']:,} rows, {figures['bytes'] / 1e6:.1f} MB in "
                f"{figures['seconds']:.2f} s: {figures['rows_per_second']:,} rows/s, "
                f"peak RSS growth {figures.get('rss_peak_growth_kb', 0):,} KB"
            )
            log(f"  export {name}: {what}")
    for name in results:
        results[name]["expected_rows"] = expected[name]
    small_peak = max(results["small"]["tracemalloc_peak_kb"], 1)
    ratio = results["large"]["tracemalloc_peak_kb"] / small_peak
    # A growth of the resident set under 1 MB counts as 1 MB: the process usually has
    # the room already, from the warm-up, and the high-water mark does not move at all.
    rss_ratio = None
    if "rss_peak_growth_kb" in results["small"]:
        rss_ratio = max(results["large"]["rss_peak_growth_kb"], 1024) / max(
            results["small"]["rss_peak_growth_kb"], 1024
        )
    results["tracemalloc_ratio"] = round(ratio, 2)
    results["rss_growth_ratio"] = None if rss_ratio is None else round(rss_ratio, 2)
    results["rows_ratio"] = round(expected["large"] / max(expected["small"], 1), 1)
    results["pass"] = ratio <= MEMORY_RATIO_BUDGET and (
        rss_ratio is None or rss_ratio <= MEMORY_RATIO_BUDGET
    )
    return results


def exports_check(results: dict) -> list[str]:
    errors = []
    for name in ("small", "large"):
        r = results[name]
        if r["rows"] != r["expected_rows"]:
            errors.append(f"export {name}: {r['rows']} rows written, {r['expected_rows']} expected")
        if "@example.org" not in r["first_bytes"]:
            errors.append(f"export {name}: no decrypted address in the first rows")
    return errors


# --- Main -------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--signatures", type=int, default=5_000_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--runs", type=int, default=RUNS, help="timed counts per segment")
    parser.add_argument("--plans", action="store_true", help="print every count's plan")
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="convoca-bench-scale-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "CONVOCA_DATA_DIR": str(folder),
            "DATABASE_URL": args.postgres_url,
            "CACHE_URL": "locmemcache://",
            "DEBUG": "false",  # DEBUG keeps every query in memory: no figure would hold
            "LOG_LEVEL": "WARNING",
        }
    )
    started_at = datetime.now(UTC)
    load = os.getloadavg()
    with postgres_database(args.postgres_url, keep=args.keep):
        import django

        django.setup()
        from django.core.management import call_command

        from bench.prepare import _check_setup

        _check_setup()
        call_command("migrate", "--noinput", verbosity=0)
        log(f"generating {args.people:,} people and {args.signatures:,} signatures ...")
        loader = Loader()
        generation_started = time.perf_counter()
        fixtures = generate(args, loader)
        generation = time.perf_counter() - generation_started
        log(f"generated in {generation:.0f} s: {fixtures['made']}")
        log(f"segment counts ({args.runs} runs each, budget {COUNT_BUDGET_SECONDS} s):")
        segment_results = segments_measure(fixtures, runs=args.runs, show_plans=args.plans)
        log("CSV export (bytes discarded):")
        export_results = exports_measure(fixtures)
        errors = segments_check(fixtures, segment_results) + exports_check(export_results)
        with loader.connection.cursor() as cursor:
            cursor.execute("SELECT version(), current_setting('shared_buffers')")
            pg_version, shared_buffers = cursor.fetchone()
    result = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in load],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join(["bench/scale.py", *(argv or sys.argv[1:])]),
        "people": args.people,
        "signatures": args.signatures,
        "group_sizes": fixtures["sizes"],
        "made": fixtures["made"],
        "generation_seconds": round(generation, 1),
        "generation_steps": loader.steps,
        "segments": segment_results,
        "export": export_results,
        "errors": errors,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "shared_buffers": shared_buffers,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scale-{started_at:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print()
    print(f"Generation: {generation:.0f} s, {args.people:,} people, {args.signatures:,} signatures")
    for s in segment_results:
        print(
            f"{'PASS' if s['pass'] else 'FAIL'}  count under {COUNT_BUDGET_SECONDS:.0f} s: "
            f"{s['segment']}: median {s['median_seconds']:.3f} s (best {s['best_seconds']:.3f})"
        )
    e = export_results
    print(
        f"{'PASS' if e['pass'] else 'FAIL'}  export in constant memory: "
        f"{e['large']['rows']:,} rows peak {e['large']['tracemalloc_peak_kb']:,} KB (tracemalloc), "
        f"{e['large'].get('rss_peak_growth_kb', '?')} KB RSS growth; "
        f"{e['small']['rows']:,} rows peak {e['small']['tracemalloc_peak_kb']:,} KB, "
        f"{e['small'].get('rss_peak_growth_kb', '?')} KB: ratio {e['tracemalloc_ratio']} "
        f"(RSS {e['rss_growth_ratio']}, growth under 1 MB counted as 1 MB) "
        f"for {e['rows_ratio']}x the rows"
    )
    print(
        f"      export rate: {e['small']['rows_per_second']:,} rows/s (small), "
        f"{e['large']['rows_per_second']:,} rows/s (large)"
    )
    for error in errors:
        print(f"ERROR {error}")
    print(f"Results: {out.relative_to(ROOT)}{' (database kept)' if args.keep else ''}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
