"""The organisers' first screen in the admin: their figures and their common tasks.

A project-level module, as it gathers several apps (core knows none of
them). Unfold calls :func:`dashboard_callback` for the admin's index
(``settings.UNFOLD["DASHBOARD_CALLBACK"]``); ``templates/admin/index.html``
shows it above the list of everything. Every figure comes from the owning
app's selectors, each scoped to what the staff member may see: an organiser
sees their organisations' figures, a coordinator the whole coalition's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from convoca.actions.models import Action
from convoca.actions.selectors import action_signatures_recent
from convoca.events.models import Event
from convoca.events.selectors import event_list_upcoming_for_staff
from convoca.inbox.models import ContactMessage
from convoca.inbox.selectors import contact_message_waiting
from convoca.mailings.models import Mailing
from convoca.mailings.selectors import mailing_list_in_progress

RECENT_DAYS = 7


@dataclass(frozen=True)
class Shortcut:
    """A common task, as a link on the first screen."""

    label: str
    url: str
    icon: str  # a Material Symbols name, as Unfold's own links use


def dashboard_shortcuts(request: HttpRequest) -> list[Shortcut]:
    """The common tasks this staff member may do: write an appeal, an event, a mailing, ..."""
    site = admin.site
    actions = site.get_model_admin(Action)
    shortcuts = []
    if actions.has_add_permission(request):
        shortcuts.append(
            Shortcut(
                _("New appeal"), reverse("admin:actions_action_add") + "?kind=appeal", "campaign"
            )
        )
    if site.get_model_admin(Event).has_add_permission(request):
        shortcuts.append(Shortcut(_("New event"), reverse("admin:events_event_add"), "event"))
    if site.get_model_admin(Mailing).has_add_permission(request):
        shortcuts.append(Shortcut(_("New mailing"), reverse("admin:mailings_mailing_add"), "mail"))
    if actions.has_export_permission(request):
        # The list's "Export signatures as CSV", or an action's figures page.
        shortcuts.append(
            Shortcut(_("Export signers"), reverse("admin:actions_action_changelist"), "download")
        )
    if site.get_model_admin(ContactMessage).has_view_permission(request):
        shortcuts.append(
            Shortcut(_("Inbox"), reverse("admin:inbox_contactmessage_changelist"), "inbox")
        )
    return shortcuts


def dashboard_callback(request: HttpRequest, context: dict) -> dict:
    """Add the staff member's figures and shortcuts to the admin index's context."""
    user = request.user
    language = request.LANGUAGE_CODE
    context["dashboard"] = {
        "days": RECENT_DAYS,
        "actions": action_signatures_recent(user=user, language=language, days=RECENT_DAYS),
        "events": event_list_upcoming_for_staff(user=user, language=language),
        "mailings": mailing_list_in_progress(user=user),
        "inbox": contact_message_waiting(user=user),
        "shortcuts": dashboard_shortcuts(request),
    }
    return context
