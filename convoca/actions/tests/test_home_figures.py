"""The home page's headline figures are the coalition's totals."""

import re

from django.core.cache import caches

from convoca.actions.models import Action
from convoca.actions.services import action_close, action_save


def headline_signatures(client) -> int | None:
    caches["pages"].clear()
    found = re.search(r"<strong>([\d,]+)</strong> signatures?", client.get("/en/").text)
    return int(found[1].replace(",", "")) if found else None


def test_publishing_a_new_empty_action_does_not_lower_the_headline_total(
    client, make_action, sign, commit
):
    old = make_action(slug="old-appeal", count_on_submit=True)
    for n in range(3):
        commit(sign, old, email=f"signer{n}@example.org")
    closed = make_action(slug="closed-letter", count_on_submit=True)
    commit(sign, closed, email="late@example.org")
    action_close(action=closed)
    assert headline_signatures(client) == 4

    for n in range(4):  # the home lists only the newest four open actions
        make_action(slug=f"new-{n}", title=f"New appeal {n}")
    assert headline_signatures(client) == 4

    draft = make_action(slug="draft", count_on_submit=True)
    commit(sign, draft, email="tester@example.org")
    action_save(action=draft, shared={"status": Action.Status.DRAFT})
    assert headline_signatures(client) == 4  # a draft's test signatures are not public
