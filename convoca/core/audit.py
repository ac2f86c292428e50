"""The audit trail: one way to record that a staff member reached people's personal data.

Every export, every supporter's page opened in the admin, every list or
search of supporters (and, with the API, every call that reads people) is
one ``AuditEntry``, written by ``audit_record`` and nothing else, so a
coordinator can answer "who saw or took whose data, how many, and when".

An entry names what was reached without personal data: a person is
"person 1a2b3c4d" (``Person.__str__``), a search says what kind of term it
was, never the term (an email address is personal data).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

#: Every kind of entry, with what the trail shows for it. A kind that is not
#: here is refused, so the trail's filter lists every kind there can be.
#: Add the kind here when a new path to personal data is audited.
AUDIT_KINDS = {
    "export signatures": _("exported signatures"),
    "export registrations": _("exported registrations"),
    "export donations": _("exported donations"),
    "view person": _("opened a supporter's page"),
    "list people": _("listed supporters"),
    "search people": _("searched supporters"),
    "erase people": _("erased supporters' data"),
    "view record": _("opened a record with personal data"),
    "list records": _("listed records with personal data"),
    "activate pledge": _("activated a pledge (emailed its pledgers)"),
    "api read": _("read supporters' data through the API"),
    "api write": _("changed supporters' data through the API"),
    # Staff accounts (convoca.staff): no supporter's data, counted 0.
    "second-factor-added": _("added a second factor"),
    "second-factor-removed": _("removed a second factor"),
    "second-factor-refused": _("a second factor was refused"),
    "recovery-codes-made": _("made new recovery codes"),
    "recovery-code-used": _("signed in with a recovery code"),
    "second-factors-reset": _("reset a member's second factors"),
    "signed-out-everywhere": _("signed a member out everywhere"),
    "staff-role-given": _("gave a staff member a role"),
    "staff-role-removed": _("took a staff member's role away"),
}

TARGET_MAX_LENGTH = 300


def audit_kind_label(verb: str) -> str:
    """What the trail shows for ``verb``: its label, or the verb itself if retired."""
    return str(AUDIT_KINDS.get(verb, verb))


def audit_record(*, user, verb: str, target="", count: int = 1, organisation=None):
    """Record that ``user`` reached ``count`` people's data through ``verb`` on ``target``.

    ``organisation`` (an organisation or its id) is the organisation whose
    data it was, or on whose behalf the staff member acted; None when it is
    not one organisation's. ``target`` must not hold personal data (it is
    stored in clear): name a person by ``person`` itself (``Person.__str__``
    says "person 1a2b3c4d"), a list by its title. It is written in English
    whatever the staff member's language, like the kinds. Returns the entry.
    """
    from convoca.core.models import AuditEntry

    if verb not in AUDIT_KINDS:
        raise ValueError(f"unknown audit kind {verb!r}: add it to core.audit.AUDIT_KINDS")
    with translation.override("en"):
        target = str(target)
    organisation_id = getattr(organisation, "pk", organisation)
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        organisation_id=organisation_id,
        verb=verb,
        target=target[:TARGET_MAX_LENGTH],
        count=max(count, 0),
    )


class AuditedAdminMixin:
    """A model admin whose pages show personal data: opening a row or a list is audited.

    A GET of the change page records ``audit_view_verb`` (one row); with
    ``audit_lists``, a GET of the list records ``audit_list_verb`` with the
    number of rows shown on that page, or ``audit_search_verb`` (if set)
    when the list answers a search. Only pages answered with 200 and rows
    shown are recorded: a refused or missing object leaves no entry. Whose
    data it was comes from the admin's ``audit_organisation(request, obj)``
    (``OrganisationScopedAdmin`` has one), if it has one.
    """

    audit_view_verb = "view record"
    audit_list_verb = "list records"
    audit_search_verb = ""
    audit_lists = True

    def _audit_organisation(self, request, obj=None):
        find = getattr(self, "audit_organisation", None)
        return find(request, obj) if find else None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is not None:
                audit_record(
                    user=request.user,
                    verb=self.audit_view_verb,
                    target=obj,
                    count=1,
                    organisation=self._audit_organisation(request, obj),
                )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if (
            not self.audit_lists
            or request.method != "GET"
            or response.status_code != 200
            or changelist is None
            or not changelist.result_list
        ):
            return response
        with translation.override("en"):
            what = str(self.model._meta.verbose_name_plural)
        if changelist.query.strip() and self.audit_search_verb:
            # The term itself may be an email address: never stored.
            verb, target = self.audit_search_verb, f"{what}, a search"
        else:
            verb, target = self.audit_list_verb, f"{what}, page {changelist.page_num}"
        audit_record(
            user=request.user,
            verb=verb,
            target=target,
            count=len(changelist.result_list),
            organisation=self._audit_organisation(request),
        )
        return response
