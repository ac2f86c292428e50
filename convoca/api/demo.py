"""Demo API key: the first organisation's, as an organiser would make one for their CRM.

Its secret is not printed (it is shown once, when made in the admin); the
demo shows the key's row, its last use and revocation.
"""

from __future__ import annotations

from convoca.api.services import api_key_create


def load(context: dict) -> None:
    api_key_create(name="CRM sync (demo)", organisation=context["organisations"][0])
