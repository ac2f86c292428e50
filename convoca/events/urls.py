from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.events import views

app_name = "events"

urlpatterns = [
    path(_("events/"), views.event_list, name="event-list"),
    path(_("events/series/<slug:slug>/"), views.series_detail, name="series-detail"),
    path(
        _("events/series/<slug:slug>/register/"),
        views.SeriesRegisterView.as_view(),
        name="series-register",
    ),
    path(
        _("events/series/<slug:slug>/calendar.ics"), views.series_calendar, name="series-calendar"
    ),
    path(
        _("events/series/cancel/<str:token>/"),
        views.SeriesRegistrationCancelView.as_view(),
        name="series-registration-cancel",
    ),
    path(
        _("events/registration/<str:token>/"),
        views.RegistrationDetailView.as_view(),
        name="registration-detail",
    ),
    path(_("events/host/<str:key>/"), views.HostManageView.as_view(), name="host-manage"),
    path(_("events/<slug:slug>/"), views.event_detail, name="event-detail"),
    path(
        _("events/<slug:slug>/register/"),
        views.EventRegisterView.as_view(),
        name="event-register",
    ),
    path(_("events/<slug:slug>/registered/"), views.event_registered, name="event-registered"),
    path(_("events/<slug:slug>/calendar.ics"), views.event_calendar, name="event-calendar"),
    path(_("campaigns/<slug:slug>/"), views.campaign_detail, name="campaign-detail"),
    path(_("campaigns/<slug:slug>/host/"), views.CampaignHostView.as_view(), name="campaign-host"),
    path(
        _("campaigns/<slug:slug>/calendar.ics"),
        views.campaign_calendar,
        name="campaign-calendar",
    ),
]
