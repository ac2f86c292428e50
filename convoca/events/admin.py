"""The organiser side of events: events, series, campaigns, the approval queue, registrations."""

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.widgets import UnfoldAdminSplitDateTimeWidget

from convoca.core.audit import AuditedAdminMixin
from convoca.core.csv import csv_download
from convoca.core.translatable import SharedFieldsForm
from convoca.events.exports import (
    registration_export_allowed,
    registration_export_csv,
    registration_export_filename,
)
from convoca.events.models import (
    CAMPAIGN_SHARED_FIELDS,
    SERIES_SHARED_FIELDS,
    Campaign,
    CampaignShared,
    Event,
    EventShared,
    PendingEvent,
    Registration,
    Series,
    SeriesShared,
    Speaker,
)
from convoca.events.selectors import campaign_figures, event_figures
from convoca.events.services import (
    campaign_delete,
    campaign_save,
    event_cancel,
    event_delete,
    event_place_locate,
    event_review,
    event_save,
    registration_attendance_mark,
    series_delete,
    series_occurrences_sync,
    series_save,
    speaker_delete,
    speaker_save,
)
from convoca.organisations.scoping import OrganisationScopedAdmin
from convoca.organisations.selectors import user_is_coordinator

#: What the event admin shows of what every version shares.
EVENT_ADMIN_SHARED_FIELDS = (
    "kind", "organisation", "host_group", "status", "starts_at", "ends_at", "time_zone",
    "display_zones", "reminder_minutes", "venue_name", "street_address", "city",
    "postal_code", "country", "latitude", "longitude", "online_url", "capacity", "ask_phone",
    "recording_url", "series", "campaign",
)  # fmt: skip

#: What the approval queue shows of what every version shares.
PENDING_ADMIN_SHARED_FIELDS = (
    "host_group", "starts_at", "ends_at", "time_zone", "venue_name", "street_address", "city",
    "postal_code", "country", "latitude", "longitude", "capacity",
)  # fmt: skip


class EventTimesForm(SharedFieldsForm):
    """One event version's texts beside what all versions share, times typed as the admin does."""

    shared_model = EventShared

    class Meta:
        model = Event
        exclude = ["shared"]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("The event must end after it starts."))
        return cleaned


class EventAdminForm(EventTimesForm):
    """Times are typed and shown as wall-clock times in the event's own ``time_zone``."""

    shared_model = EventShared
    shared_fields = EVENT_ADMIN_SHARED_FIELDS
    # Typed as a date and a time, as the admin types every other moment (declared on
    # each form: the shared fields' metaclass would otherwise put the model's in).
    starts_at = forms.SplitDateTimeField(label=_("starts"), widget=UnfoldAdminSplitDateTimeWidget)
    ends_at = forms.SplitDateTimeField(label=_("ends"), widget=UnfoldAdminSplitDateTimeWidget)
    translation_help = _(
        "The same event in another language: both share registrations, times and place."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("In the event's time zone.")
        if self.instance.shared_id:
            zone = zoneinfo.ZoneInfo(self.instance.time_zone)
            for name in ("starts_at", "ends_at"):
                # Naive on purpose: the widget shows a naive value as it is.
                self.initial[name] = (
                    getattr(self.instance, name).astimezone(zone).replace(tzinfo=None)
                )

    def clean(self):
        zone_name = self.cleaned_data.get("time_zone")
        # A version joining another event keeps that event's times as they are.
        if self._joined() is None and zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                value = self.cleaned_data.get(name)
                if value is not None:
                    wall = timezone.localtime(value).replace(tzinfo=None)
                    self.cleaned_data[name] = wall.replace(tzinfo=zone)
        return super().clean()


class PendingEventAdminForm(EventTimesForm):
    shared_model = EventShared
    shared_fields = PENDING_ADMIN_SHARED_FIELDS
    # Typed as a date and a time, as the admin types every other moment (declared on
    # each form: the shared fields' metaclass would otherwise put the model's in).
    starts_at = forms.SplitDateTimeField(label=_("starts"), widget=UnfoldAdminSplitDateTimeWidget)
    ends_at = forms.SplitDateTimeField(label=_("ends"), widget=UnfoldAdminSplitDateTimeWidget)


class SeriesAdminForm(SharedFieldsForm):
    """One language version's texts, beside the rule, times and settings every version shares.

    The first start is typed and shown as a wall-clock time in the series'
    own time zone.
    """

    shared_model = SeriesShared
    shared_fields = SERIES_SHARED_FIELDS
    translation_help = _("The same series in another language.")
    # Typed as a date and a time, as the admin types every other moment.
    first_start = forms.SplitDateTimeField(
        label=_("first start"), widget=UnfoldAdminSplitDateTimeWidget
    )

    class Meta:
        model = Series
        exclude = ["shared"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_start"].help_text = _("In the series' time zone.")
        if self.instance.shared_id:
            zone = zoneinfo.ZoneInfo(self.instance.time_zone)
            # Naive on purpose: the widget shows a naive value as it is.
            self.initial["first_start"] = self.instance.first_start.astimezone(zone).replace(
                tzinfo=None
            )

    def clean(self):
        cleaned = super().clean()
        zone_name, value = cleaned.get("time_zone"), cleaned.get("first_start")
        # A version joining another series keeps that series' first start as it is.
        if self._joined() is None and zone_name and value is not None:
            wall = timezone.localtime(value).replace(tzinfo=None)
            cleaned["first_start"] = wall.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))
        return cleaned


class CampaignAdminForm(SharedFieldsForm):
    """One language version's texts, beside the dates, organisations and status all share."""

    shared_model = CampaignShared
    shared_fields = CAMPAIGN_SHARED_FIELDS
    translation_help = _(
        "The same campaign in another language: both show the same events, dates and status."
    )

    class Meta:
        model = Campaign
        exclude = ["shared"]


class SpeakerInline(TabularInline):
    """An event's speakers: whoever may change the event may change them.

    Django's inlines check per-model permissions, which staff here do not
    have (their role decides); so ask the event's admin instead.
    """

    model = Speaker
    extra = 0
    fields = ["position", "name", "role", "bio", "photo"]

    def _event_admin(self):
        return self.admin_site._registry[Event]

    def has_view_permission(self, request, obj=None):
        return self._event_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        event_admin = self._event_admin()
        if obj is None:
            return event_admin.has_add_permission(request)
        return event_admin.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class SharedColumnsMixin:
    """List columns read from the shared row, sortable by it."""

    @admin.display(description=_("starts"), ordering="shared__starts_at")
    def starts_at_shown(self, obj):
        return obj.starts_at

    @admin.display(description=_("kind"), ordering="shared__kind")
    def kind_shown(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("status"), ordering="shared__status")
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("city"), ordering="shared__city")
    def city_shown(self, obj):
        return obj.city

    @admin.display(description=_("country"), ordering="shared__country")
    def country_shown(self, obj):
        return obj.country.name if obj.country else ""

    @admin.display(description=_("local group hosting"), ordering="shared__host_group")
    def host_group_shown(self, obj):
        return obj.host_group

    @admin.display(description=_("campaign"))
    def campaign_shown(self, obj):
        return obj.campaign or ""


@admin.register(Event)
class EventAdmin(SharedColumnsMixin, OrganisationScopedAdmin):
    organisation_path = "shared__organisation"
    form = EventAdminForm
    inlines = [SpeakerInline]
    list_display = [
        "title", "language", "starts_at_shown", "kind_shown", "status_shown", "city_shown",
        "registered", "figures_link",
    ]  # fmt: skip
    list_filter = [
        "shared__status",
        "shared__kind",
        "language",
        "shared__series",
        "shared__campaign",
    ]
    search_fields = ["title", "shared__city"]
    date_hierarchy = "shared__starts_at"
    prepopulated_fields = {"slug": ["title"]}
    actions = ["export_registrations", "cancel_events"]
    fieldsets = (
        (None, {"fields": ["language", "translation_of", "kind", "title", "slug", "summary",
                           "description", "organisation", "host_group", "status"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "time_zone", "display_zones",
                                "reminder_minutes"]}),
        (_("Where"), {"fields": ["venue_name", "street_address", "city", "postal_code",
                                 "country", "latitude", "longitude", "online_url"]}),
        (_("Registration"), {"fields": ["capacity", "questions", "ask_phone"]}),
        (_("Afterwards"), {"fields": ["recording_url", "report"]}),
        (_("Series and campaign"), {"fields": ["series", "campaign"]}),
    )  # fmt: skip
    change_form_template = "admin/events/event_change_form.html"

    def get_queryset(self, request):
        confirmed = Count("registrations", filter=Q(registrations__status="confirmed"))
        return super().get_queryset(request).select_related("shared").annotate(confirmed=confirmed)

    @admin.display(description=_("registered"))
    def registered(self, obj):
        return getattr(obj, "confirmed", None)

    @admin.display(description=_("figures"))
    def figures_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:events_event_figures", args=[obj.pk]),
            gettext("Figures"),
        )

    def save_model(self, request, obj, form, change):
        shared = form.shared_data()
        if obj.is_in_person and not obj.has_place and event_place_locate(event=obj):
            shared.update(latitude=obj.latitude, longitude=obj.longitude)
        event_save(event=obj, shared=shared, translation_of=form.cleaned_data.get("translation_of"))

    def delete_model(self, request, obj):
        event_delete(event=obj)

    def delete_queryset(self, request, queryset):
        for event in queryset:
            event_delete(event=event)

    def save_formset(self, request, form, formset, change):
        speakers = formset.save(commit=False)
        for gone in formset.deleted_objects:
            speaker_delete(speaker=gone)
        for speaker in speakers:
            speaker_save(speaker=speaker)
        formset.save_m2m()

    def get_urls(self):
        return [
            path(
                "<path:object_id>/figures/",
                self.admin_site.admin_view(self.figures_view),
                name="events_event_figures",
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="events_event_export",
            ),
            *super().get_urls(),
        ]

    def has_export_permission(self, request, obj=None):
        if obj is not None:
            return registration_export_allowed(event=obj, user=request.user)
        return self.has_change_permission(request)

    def figures_view(self, request, object_id):
        """Registrations, wait list, attendance and countries of one event (all languages)."""
        event = self._object_in_scope_or_404(request, object_id)
        return TemplateResponse(
            request,
            "admin/events/event_figures.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Figures: %(title)s") % {"title": event.title},
                "event": event,
                "original": event,
                "figures": event_figures(event=event),
                "can_export": self.has_export_permission(request, event),
                "opts": self.model._meta,
            },
        )

    def export_view(self, request, object_id):
        """Download the event's registrations as CSV (POST: it writes to the audit trail)."""
        event = self._object_in_scope_or_404(request, object_id)  # 404 before 405
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return self._export_response(request, event)

    def _export_response(self, request, event):
        if not self.has_export_permission(request, event):
            raise PermissionDenied
        return csv_download(
            registration_export_csv(event=event, user=request.user),
            filename=registration_export_filename(event=event),
        )

    @admin.action(description=_("Export registrations as CSV"), permissions=["export"])
    def export_registrations(self, request, queryset):
        if queryset.values("shared_id").distinct().count() != 1:
            self.message_user(request, gettext("Choose one event to export."), messages.WARNING)
            return None
        return self._export_response(request, queryset.first())

    @admin.action(
        description=_("Cancel the chosen events and tell their registrants"),
        permissions=["change"],
    )
    def cancel_events(self, request, queryset):
        told = 0
        for event in queryset.exclude(shared__status=Event.Status.CANCELLED):
            told += event_cancel(event=event)
        self.message_user(
            request,
            ngettext(
                "Cancelled; %(count)d registrant is told by email.",
                "Cancelled; %(count)d registrants are told by email.",
                told,
            )
            % {"count": told},
            messages.SUCCESS,
        )


@admin.register(PendingEvent)
class PendingEventAdmin(SharedColumnsMixin, OrganisationScopedAdmin):
    """Events offered through a campaign's host form, for a coordinator to approve."""

    organisation_path = "shared__organisation"
    form = PendingEventAdminForm
    list_display = [
        "title", "campaign_shown", "host_group_shown", "city_shown", "country_shown", "on_map",
        "starts_at_shown", "created_at",
    ]  # fmt: skip
    list_filter = ["shared__campaign", "shared__country"]
    readonly_fields = ["host_person", "campaign"]
    fields = [
        "title", "description", "host_group", "host_person", "campaign", "starts_at", "ends_at",
        "time_zone", "venue_name", "street_address", "city", "postal_code", "country",
        "latitude", "longitude", "capacity",
    ]  # fmt: skip
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(shared__status=Event.Status.PENDING)
            .select_related("shared")
        )

    @admin.display(description=_("host"))
    def host_person(self, obj):
        return obj.shared.host_person or "—"

    @admin.display(description=_("campaign"))
    def campaign(self, obj):
        return obj.campaign or "—"

    @admin.display(description=_("on the map"), boolean=True)
    def on_map(self, obj):
        # False when the gazetteer did not know the city: type the coordinates in.
        return obj.has_place

    def has_add_permission(self, request, obj=None):
        return False

    # Approving puts a stranger's text on the coalition's map: coordinators only.
    def has_review_permission(self, request):
        return user_is_coordinator(request.user)

    @admin.action(description=_("Approve: publish on the map"), permissions=["review"])
    def approve(self, request, queryset):
        count = 0
        for event in queryset:
            event_review(event=event, approve=True)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d event approved.", "%(count)d events approved.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Turn down"), permissions=["review"])
    def reject(self, request, queryset):
        for event in queryset:
            event_review(event=event, approve=False)
        self.message_user(request, gettext("Turned down."), messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        shared = form.shared_data()
        if not obj.has_place and event_place_locate(event=obj):
            shared.update(latitude=obj.latitude, longitude=obj.longitude)
        event_save(event=obj, shared=shared)

    def delete_model(self, request, obj):
        event_delete(event=obj)

    def delete_queryset(self, request, queryset):
        for event in queryset:
            event_delete(event=event)


@admin.register(Series)
class SeriesAdmin(OrganisationScopedAdmin):
    organisation_path = "shared__organisation"
    form = SeriesAdminForm
    list_display = ["title", "language", "rule_shown", "time_zone_shown", "published_shown"]
    list_filter = ["language", "shared__is_published"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["make_occurrences"]
    fields = [
        "language", "translation_of", "title", "slug", "description", "organisation", "rule",
        "first_start", "duration_minutes", "time_zone", "display_zones", "online_url",
        "capacity", "is_published",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shared")

    @admin.display(description=_("recurrence rule"), ordering="shared__rule")
    def rule_shown(self, obj):
        return obj.rule

    @admin.display(description=_("time zone"), ordering="shared__time_zone")
    def time_zone_shown(self, obj):
        return obj.time_zone

    @admin.display(description=_("published"), boolean=True, ordering="shared__is_published")
    def published_shown(self, obj):
        return obj.is_published

    def save_model(self, request, obj, form, change):
        series_save(
            series=obj,
            shared=form.shared_data(),
            translation_of=form.cleaned_data.get("translation_of"),
        )

    def delete_model(self, request, obj):
        series_delete(series=obj)

    def delete_queryset(self, request, queryset):
        for series in queryset:
            series_delete(series=series)

    @admin.action(description=_("Make the occurrences for the next year"), permissions=["change"])
    def make_occurrences(self, request, queryset):
        made = sum(series_occurrences_sync(series=series) for series in queryset)
        self.message_user(
            request,
            ngettext("%(count)d occurrence made.", "%(count)d occurrences made.", made)
            % {"count": made},
            messages.SUCCESS,
        )


@admin.register(Campaign)
class CampaignAdmin(OrganisationScopedAdmin):
    organisation_path = "shared__organisation"
    form = CampaignAdminForm
    list_display = [
        "title", "language", "starts_on_shown", "ends_on_shown", "status_shown", "figures_link",
    ]  # fmt: skip
    list_filter = ["shared__status", "language"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "language", "translation_of", "title", "slug", "summary", "call", "starts_on", "ends_on",
        "organisation", "endorsers", "action", "status", "accepts_hosts",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shared")

    @admin.display(description=_("first day"), ordering="shared__starts_on")
    def starts_on_shown(self, obj):
        return obj.starts_on

    @admin.display(description=_("last day"), ordering="shared__ends_on")
    def ends_on_shown(self, obj):
        return obj.ends_on

    @admin.display(description=_("status"), ordering="shared__status")
    def status_shown(self, obj):
        return obj.get_status_display()

    def save_model(self, request, obj, form, change):
        campaign_save(
            campaign=obj,
            shared=form.shared_data(),
            translation_of=form.cleaned_data.get("translation_of"),
        )

    def save_related(self, request, form, formsets, change):
        # ``campaign_save`` set the endorsers (of every version); only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        campaign_delete(campaign=obj)

    def delete_queryset(self, request, queryset):
        for campaign in queryset:
            campaign_delete(campaign=campaign)

    @admin.display(description=_("figures"))
    def figures_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:events_campaign_figures", args=[obj.pk]),
            gettext("Figures"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/figures/",
                self.admin_site.admin_view(self.figures_view),
                name="events_campaign_figures",
            ),
            *super().get_urls(),
        ]

    def figures_view(self, request, object_id):
        """Events approved and waiting, countries, registrations per event."""
        self._in_scope_or_404(request, object_id)
        campaign = get_object_or_404(self.get_queryset(request), pk=object_id)
        return TemplateResponse(
            request,
            "admin/events/campaign_figures.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Figures: %(title)s") % {"title": campaign.title},
                "campaign": campaign,
                "original": campaign,
                "figures": campaign_figures(campaign=campaign),
                "opts": self.model._meta,
            },
        )


@admin.register(Registration)
class RegistrationAdmin(AuditedAdminMixin, OrganisationScopedAdmin):
    """Registrations of one's organisation's events; attendance is marked from the list."""

    organisation_path = "event__shared__organisation"
    # Its list shows no personal data (a reference, the event); its page does.
    audit_lists = False
    list_display = ["__str__", "event", "status", "attended", "created_at"]
    list_filter = ["status", "attended", "event"]
    list_select_related = ["event"]
    readonly_fields = [
        "event", "person", "status", "share_with_host", "via_series", "promoted_at",
        "cancelled_at", "created_at",
    ]  # fmt: skip
    fields = [*readonly_fields, "attended"]
    actions = ["mark_attended", "mark_absent"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Only "attended" is editable here.
        registration_attendance_mark(registration_ids=[obj.pk], attended=obj.attended)

    @admin.action(description=_("Mark as attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        count = registration_attendance_mark(
            registration_ids=list(queryset.values_list("pk", flat=True)), attended=True
        )
        self.message_user(
            request,
            ngettext("%(count)d marked as attended.", "%(count)d marked as attended.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as absent"), permissions=["change"])
    def mark_absent(self, request, queryset):
        count = registration_attendance_mark(
            registration_ids=list(queryset.values_list("pk", flat=True)), attended=False
        )
        self.message_user(
            request,
            ngettext("%(count)d marked as absent.", "%(count)d marked as absent.", count)
            % {"count": count},
            messages.SUCCESS,
        )
