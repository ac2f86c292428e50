from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.donations import views

app_name = "donations"

urlpatterns = [
    path(_("donate/"), views.fundraiser_list, name="fundraiser-list"),
    path(_("donate/<slug:slug>/"), views.fundraiser_detail, name="fundraiser-detail"),
    path(_("donate/<slug:slug>/give/"), views.DonationStartView.as_view(), name="donation-start"),
    path(_("donate/<slug:slug>/thanks/"), views.donation_thanks, name="donation-thanks"),
    path(
        _("donations/manage/<str:token>/"),
        views.DonationManageView.as_view(),
        name="donation-manage",
    ),
]
