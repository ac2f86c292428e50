"""Demo content: a coalition shaped like a real one, for ``convoca demo``.

Each app may have a ``demo.py`` with ``load(context)``; they run in the order
of INSTALLED_APPS, once, on an empty database: one where no app's
``has_content()`` (organisations': there are some) says otherwise. ``context`` is
a dict later apps read (the organisations, the people) and add to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import transaction

DEMO_ORGANISER = "organiser"
DEMO_COORDINATOR = "coordinator"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    coordinator_username: str
    password: str


def _demo_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.startswith("convoca.") and find_spec(module_name):
            modules.append(import_module(module_name))
    return modules


def demo_load() -> DemoLogin:
    """Load the demo content if the database is empty; (re)set the demo logins."""
    modules = _demo_modules()
    with transaction.atomic():
        if not any(module.has_content() for module in modules if hasattr(module, "has_content")):
            context: dict = {}
            for module in modules:
                if hasattr(module, "load"):
                    module.load(context)
        password = "-".join(secrets.token_hex(3) for _ in range(3))
        _reset_password(DEMO_ORGANISER, password)
        _reset_password(DEMO_COORDINATOR, password)
    return DemoLogin(DEMO_ORGANISER, DEMO_COORDINATOR, password)


def _reset_password(username: str, password: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user:
        user.set_password(password)
        user.save(update_fields=["password"])
