from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from unfold.admin import StackedInline, TabularInline

from convoca.actions.charts import bar_chart_svg
from convoca.actions.exports import (
    signature_export_allowed,
    signature_export_csv,
    signature_export_filename,
)
from convoca.actions.models import (
    ACTION_SHARED_FIELDS,
    Action,
    ActionShared,
    Endorsement,
    PledgeActivation,
    PledgeActivationText,
    PledgeQuestion,
    Signature,
    Tally,
)
from convoca.actions.selectors import action_figures, action_scope_q
from convoca.actions.services import (
    action_close,
    action_reopen,
    action_save,
    endorsement_review,
    pledge_activate,
    pledge_questions_publish_check,
)
from convoca.core.audit import AuditedAdminMixin
from convoca.core.csv import csv_download
from convoca.core.forms import OneLineField
from convoca.core.translatable import LanguageTextsInlineMixin, SharedFieldsForm
from convoca.organisations.scoping import OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator

#: Rows in the "by country" and "by source" tables of the figures page.
FIGURES_TOP = 20


class ActionAdminForm(SharedFieldsForm):
    """One language version's texts, beside what every version of the action shares."""

    shared_model = ActionShared
    shared_fields = ACTION_SHARED_FIELDS
    translation_help = _(
        "The same action in another language: both then share one count, status, dates and goal."
    )

    class Meta:
        model = Action
        exclude = ["shared"]


class PledgeActivationForm(forms.Form):
    """The message in each language of the site, and the organiser's word that it is time.

    A language may be left empty (both its boxes): its pledgers get the
    message in another (``PledgeActivation.version_in``).
    """

    confirm = forms.BooleanField(
        label=_("The trigger has happened: email every confirmed pledger now."),
        error_messages={"required": _("Tick the box to send the messages.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for code, language in settings.LANGUAGES:
            fields[f"subject_{code}"] = OneLineField(
                label=gettext("Subject (%(language)s)") % {"language": language},
                max_length=200,
                required=False,
            )
            fields[f"body_{code}"] = forms.CharField(
                label=gettext("Message (%(language)s)") % {"language": language},
                widget=forms.Textarea,
                required=False,
                help_text=gettext("What to do now. Markdown."),
            )
        self.fields = {**fields, "confirm": self.fields["confirm"]}

    def clean(self):
        cleaned = super().clean()
        for code, _language in settings.LANGUAGES:
            subject, body = cleaned.get(f"subject_{code}"), cleaned.get(f"body_{code}")
            if subject and not body:
                self.add_error(f"body_{code}", gettext("Write the message, or clear its subject."))
            elif body and not subject:
                self.add_error(f"subject_{code}", gettext("Give the message a subject."))
        if not self.texts():
            raise forms.ValidationError(gettext("Write the message in at least one language."))
        return cleaned

    def texts(self) -> dict[str, dict[str, str]]:
        """The message by language, for ``pledge_activate``: the languages written in."""
        data = getattr(self, "cleaned_data", {})
        return {
            code: {"subject": data[f"subject_{code}"], "body": data[f"body_{code}"]}
            for code, _language in settings.LANGUAGES
            if data.get(f"subject_{code}") and data.get(f"body_{code}")
        }


@dataclass(frozen=True)
class SignatureFigures:
    """An action's signatures (all languages) counted for its organisers, not the public."""

    total: int
    confirmed: int
    counted: int
    #: One point per day, zeros included, from the first signature to today.
    per_day: list[tuple[date, int]]
    last_30_days: list[tuple[date, int]]
    #: (country code, country name, signatures), most first.
    by_country: list[tuple[str, str, int]]
    #: (source code, signatures), most first; "" is no source.
    by_source: list[tuple[str, int]]

    @property
    def unconfirmed(self) -> int:
        return self.total - self.confirmed


# A read for the figures page only; it belongs in selectors.py (not this
# change's file) as soon as a second page needs it.
def signature_figures(*, action: Action) -> SignatureFigures:
    """Count an action's signatures in all its languages, by day, country and source.

    Aggregate queries over ``Signature``: fine for a staff page, too slow
    for a public one (which reads ``Tally`` instead). Days are in the
    current time zone.
    """
    signatures = Signature.objects.filter(translation_key=action.translation_key)
    totals = signatures.aggregate(
        total=Count("pk"),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        counted=Count("pk", filter=Q(counted=True)),
    )
    daily = dict(
        signatures.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
    today = timezone.localdate()
    first = min(daily, default=today)
    per_day = [(day, daily.get(day, 0)) for day in _days(first, today)] if daily else []
    by_country = [
        (code, countries.name(code) if code else gettext("not given"), n)
        for code, n in signatures.values("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")
        .values_list("country", "n")[:FIGURES_TOP]
    ]
    by_source = list(
        signatures.values("source")
        .annotate(n=Count("pk"))
        .order_by("-n", "source")
        .values_list("source", "n")[:FIGURES_TOP]
    )
    return SignatureFigures(
        total=totals["total"],
        confirmed=totals["confirmed"],
        counted=totals["counted"],
        per_day=per_day,
        last_30_days=[(day, daily.get(day, 0)) for day in _days(today - timedelta(29), today)],
        by_country=by_country,
        by_source=by_source,
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class PledgeQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        sensitive = any(
            form.cleaned_data.get("sensitive") and not form.cleaned_data.get("DELETE")
            for form in self.forms
            if getattr(form, "cleaned_data", None)
        )
        # self.instance is the action as the form below would save it (status included).
        pledge_questions_publish_check(action=self.instance, sensitive=sensitive)


class PledgeQuestionInline(TabularInline):
    """The pledge's own questions, asked on its form in this version's language."""

    model = PledgeQuestion
    formset = PledgeQuestionFormSet
    fields = ["text", "sensitive", "required", "position"]
    extra = 0

    # Whoever may change the pledge may change its questions (roles, not Django permissions).
    def _pledge_admin(self):
        return self.admin_site.get_model_admin(Action)

    def has_view_permission(self, request, obj=None):
        return self._pledge_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        pledges = self._pledge_admin()
        return (
            pledges.has_change_permission(request, obj)
            if obj is not None
            else pledges.has_add_permission(request)
        )

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


def _shown(field: str) -> str:
    return "co_sponsor_names" if field == "co_sponsors" else field


@admin.register(Action)
class ActionAdmin(OrganisationScopedAdmin):
    organisation_path = "shared__organisation"
    form = ActionAdminForm
    inlines = [PledgeQuestionInline]
    change_form_template = "admin/actions/action_change_form.html"
    list_display = [
        "title",
        "kind_shown",
        "language_shown",
        "organisation",
        "status_shown",
        "count",
        "goal_now",
        "figures_link",
    ]
    actions = ["export_signatures", "close", "reopen"]
    list_filter = ["shared__kind", "shared__status", "language"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (
            None,
            {
                "fields": [
                    "kind",
                    "language",
                    "translation_of",
                    "title",
                    "slug",
                    "summary",
                    "body",
                    "trigger",
                ]
            },
        ),
        (_("Who"), {"fields": ["organisation", "co_sponsors"]}),
        (
            _("When and how"),
            {
                "fields": [
                    "status",
                    "starts_at",
                    "ends_at",
                    "goal",
                    "count_on_submit",
                    "show_signers",
                ]
            },
        ),
        (
            _("Questions asked"),
            {
                "fields": [
                    "ask_organisation",
                    "ask_role",
                    "ask_members",
                    "ask_comment",
                    "ask_phone",
                    "ask_place",
                ]
            },
        ),
        (
            _("After signing"),
            {"fields": ["thank_you", "next_step", "next_step_url", "share_text", "og_image"]},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return self.fieldsets
        # Shown, not edited: the co-sponsors as names (a manager is not a value).
        return [
            (name, {**options, "fields": [_shown(f) for f in options["fields"]]})
            for name, options in self.fieldsets
        ]

    @admin.display(description=_("co-sponsors"))
    def co_sponsor_names(self, obj):
        return ", ".join(sponsor.name for sponsor in obj.co_sponsors.all()) or "—"

    def save_model(self, request, obj, form, change):
        action_save(
            action=obj,
            shared=form.shared_data(),
            translation_of=form.cleaned_data.get("translation_of"),
        )

    def save_related(self, request, form, formsets, change):
        # The shared row's co-sponsors were saved by action_save; the version has no
        # many-to-many of its own, so only the inlines (a pledge's questions) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Close (every language)"), permissions=["change"])
    def close(self, request, queryset):
        for action in self._changeable_once_each(request, queryset):
            action_close(action=action)
        self.message_user(request, gettext("Closed in every language."), messages.SUCCESS)

    @admin.action(description=_("Reopen (every language)"), permissions=["change"])
    def reopen(self, request, queryset):
        for action in self._changeable_once_each(request, queryset):
            action_reopen(action=action)
        self.message_user(request, gettext("Open again in every language."), messages.SUCCESS)

    def _changeable_once_each(self, request, queryset) -> list[Action]:
        # One version per action (its others change with it), and never a co-sponsored one.
        chosen = {action.shared_id: action for action in queryset}
        return [a for a in chosen.values() if self.has_change_permission(request, a)]

    def get_inlines(self, request, obj):
        # Questions belong to pledges; a new action may become one.
        return self.inlines if obj is None or obj.is_pledge else []

    # What a version shares is shown with its label, as a field of its own would be.
    @admin.display(description=_("kind"), ordering="shared__kind")
    def kind_shown(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("status"), ordering="shared__status")
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("language"), ordering="language")
    def language_shown(self, obj):
        return obj.get_language_display()

    @admin.display(description=_("count"))
    def count(self, obj):
        return obj.tally_count or 0

    @admin.display(description=_("current goal"))
    def goal_now(self, obj):
        return obj.tally_goal or obj.goal or "—"

    # Staff of a co-sponsoring organisation see the action, its figures and
    # (exports.py decides which rows) its export; only the owner changes it.
    def _scope(self, request) -> Q:
        return action_scope_q(organisation_ids_for_user(request.user))

    def has_view_permission(self, request, obj=None):
        if obj is None or user_is_coordinator(request.user):
            return super().has_view_permission(request, obj)
        return Action.objects.filter(self._scope(request), pk=obj.pk).exists()

    def get_queryset(self, request):
        # The maintained counts, joined once for the whole list page.
        tally = Tally.objects.filter(pk=OuterRef("shared_id"))
        queryset = super(OrganisationScopedAdmin, self).get_queryset(request)
        if not user_is_coordinator(request.user):
            queryset = queryset.filter(self._scope(request))
        return queryset.select_related("shared__organisation").annotate(
            tally_count=Subquery(tally.values("count")),
            tally_goal=Subquery(tally.values("goal")),
        )

    @admin.display(description=_("figures"))
    def figures_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:actions_action_figures", args=[obj.pk]),
            gettext("Figures"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/activate/",
                self.admin_site.admin_view(self.activate_view),
                name="actions_action_activate",
            ),
            path(
                "<path:object_id>/figures/",
                self.admin_site.admin_view(self.figures_view),
                name="actions_action_figures",
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="actions_action_export",
            ),
            *super().get_urls(),
        ]

    # Exporting takes personal data away: organisers and coordinators only,
    # never viewers (see convoca.actions.exports for the rule on rows).
    def has_export_permission(self, request, obj=None):
        if obj is not None:
            return signature_export_allowed(action=obj, user=request.user)
        return user_is_coordinator(request.user) or bool(
            organisation_ids_for_user(request.user, can_edit=True)
        )

    def figures_view(self, request, object_id):
        """Show an action's figures in all its languages: counts, days, countries, sources."""
        action = self._object_in_scope_or_404(request, object_id)
        if not self.has_view_permission(request, action):
            raise PermissionDenied
        figures = signature_figures(action=action)
        return TemplateResponse(
            request,
            "admin/actions/action_figures.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Figures: %(title)s") % {"title": action.title},
                "action": action,
                "original": action,
                "figures": figures,
                "chart": bar_chart_svg(
                    figures.per_day, width=720, height=240, label=gettext("Signatures per day")
                ),
                "chart_30_days": bar_chart_svg(
                    figures.last_30_days,
                    width=720,
                    height=160,
                    label=gettext("Signatures per day, last 30 days"),
                ),
                "top": FIGURES_TOP,
                "can_export": self.has_export_permission(request, action),
                "opts": self.model._meta,
            },
        )

    def export_view(self, request, object_id):
        """Download the signatures of an action that this staff member may take, as CSV."""
        action = self._object_in_scope_or_404(request, object_id)  # 404 before 405
        if request.method != "POST":  # a download that writes to the audit trail: POST only
            return HttpResponseNotAllowed(["POST"])
        return self._export_response(request, action)

    def _export_response(self, request, action: Action) -> StreamingHttpResponse:
        if not self.has_export_permission(request, action):
            raise PermissionDenied
        return csv_download(
            signature_export_csv(action=action, user=request.user),
            filename=signature_export_filename(action=action),
        )

    @admin.action(description=_("Export signatures as CSV"), permissions=["export"])
    def export_signatures(self, request, queryset):
        # One file per action; its language versions are one action.
        if queryset.values("shared_id").distinct().count() != 1:
            self.message_user(
                request,
                gettext("Choose one action (any of its language versions) to export."),
                messages.WARNING,
            )
            return None
        return self._export_response(request, queryset.order_by("created_at").first())

    def activate_view(self, request, object_id):
        """Activate a pledge: write the message in both languages, confirm, send."""
        self._in_scope_or_404(request, object_id)
        action = get_object_or_404(self.get_queryset(request), pk=object_id, shared__kind="pledge")
        if not self.has_change_permission(request, action):
            raise PermissionDenied
        form = PledgeActivationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            activation = pledge_activate(action=action, texts=form.texts(), user=request.user)
            self.message_user(
                request,
                ngettext(
                    "The pledge is activated: %(count)d pledger will be emailed.",
                    "The pledge is activated: %(count)d pledgers will be emailed.",
                    activation.recipients,
                )
                % {"count": activation.recipients},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:actions_action_change", args=[action.pk]))
        return TemplateResponse(
            request,
            "admin/actions/action_activate.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Activate the pledge"),
                "action": action,
                "form": form,
                "figures": action_figures(action),
                "opts": self.model._meta,
            },
        )


@admin.register(Signature)
class SignatureAdmin(AuditedAdminMixin, OrganisationScopedAdmin):
    organisation_path = "action__shared__organisation"
    # Its list shows no personal data (a reference, the action); its page does.
    audit_lists = False
    list_display = [
        "__str__",
        "action",
        "country",
        "source",
        "confirmed",
        "visibility",
        "featured",
        "created_at",
    ]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        "country",
        "source",
        "visibility",
        "featured",
        "created_at",
    ]
    list_select_related = ["action"]
    list_editable = ["featured"]
    readonly_fields = [
        "action",
        "person",
        "country",
        "source",
        "confirmed_at",
        "created_at",
        "organisation_name",
        "role",
        "comment",
        "members_represented",
        "visibility",
    ]
    fields = [
        "action",
        "person",
        "organisation_name",
        "role",
        "members_represented",
        "comment",
        "country",
        "visibility",
        "featured",
        "source",
        "confirmed_at",
        "created_at",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("confirmed"), boolean=True)
    def confirmed(self, obj):
        return obj.confirmed_at is not None


@admin.register(Endorsement)
class EndorsementAdmin(OrganisationScopedAdmin):
    organisation_path = "signature__action__shared__organisation"
    list_display = ["name", "country", "website", "status", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["name"]
    readonly_fields = ["signature", "reviewed_at"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return self.has_change_permission(request)

    @admin.action(description=_("Approve: list them publicly"), permissions=["review"])
    def approve(self, request, queryset):
        for endorsement in queryset:
            endorsement_review(endorsement=endorsement, approve=True)
        self.message_user(request, _("Approved."), messages.SUCCESS)

    @admin.action(description=_("Reject"), permissions=["review"])
    def reject(self, request, queryset):
        for endorsement in queryset:
            endorsement_review(endorsement=endorsement, approve=False)
        self.message_user(request, _("Rejected."), messages.SUCCESS)


class PledgeActivationTextInline(LanguageTextsInlineMixin, StackedInline):
    """The message that was sent, in each language it was written in (read only)."""

    model = PledgeActivationText
    fields = ["language", "subject", "body"]
    verbose_name = _("message in one language")
    verbose_name_plural = _("message in each language")


@admin.register(PledgeActivation)
class PledgeActivationAdmin(OrganisationScopedAdmin):
    organisation_path = "action__shared__organisation"
    inlines = [PledgeActivationTextInline]
    list_display = ["subject", "action", "recipients", "activated_by", "created_at"]
    readonly_fields = [f.name for f in PledgeActivation._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=_("subject"))
    def subject(self, obj):
        return obj.text_in("subject")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
