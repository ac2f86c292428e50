"""axe-core on one page of every kind, in English and in Spanish, with the demo content.

axe-core comes with the ``axe-playwright-python`` package (a dev dependency,
pinned in uv.lock), so the test needs no network. It is injected with
``page.evaluate``, which the page's Content-Security-Policy does not govern;
the context still bypasses the policy in case a later version injects a
script tag. Serious and critical violations fail the test.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from bench.run import PAGES
from convoca.core.demo import demo_load

pytestmark = pytest.mark.e2e

FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def demo(transactional_db):
    demo_load()


def _violations(axe, page) -> list[str]:
    results = axe.run(page).response
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:200]}"
        for v in results["violations"]
        if v["impact"] in FAILING_IMPACTS
        for node in v["nodes"][:3]
    ]


def test_every_page_kind_has_no_serious_accessibility_violation_in_either_language(
    new_context, demo
):
    page = new_context(bypass_csp=True).new_page()
    axe = Axe()
    found = {}
    for kind in PAGES:
        response = page.goto(kind.path)
        assert response.status == 200, kind.path
        # The same page in the other language, through the language switch.
        other = page.locator(".languages a").first.get_attribute("href")
        for path in (kind.path, other):
            if path != kind.path:
                assert page.goto(path).status == 200, path
            if problems := _violations(axe, page):
                found[path] = problems
    assert found == {}
