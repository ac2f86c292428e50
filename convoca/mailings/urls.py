from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.core.links import LinkResendView
from convoca.mailings import views
from convoca.mailings.services import subscription_confirmation_resend

app_name = "mailings"

urlpatterns = [
    path(_("lists/"), views.mailing_list_list, name="mailinglist-list"),
    path(
        _("lists/<slug:slug>/"),
        views.MailingListSubscribeView.as_view(),
        name="mailinglist-subscribe",
    ),
    path(_("lists/<slug:slug>/thanks/"), views.subscription_thanks, name="subscription-thanks"),
    path(_("lists/<slug:slug>/embed/"), views.mailing_list_embed, name="mailinglist-embed"),
    path(
        _("lists/<slug:slug>/embed/thanks/"),
        views.subscription_embed_thanks,
        name="subscription-embed-thanks",
    ),
    # Before the confirmation link, whose token would match "new-link".
    path(
        _("lists/confirm/new-link/"),
        LinkResendView.as_view(resend=subscription_confirmation_resend),
        name="subscription-confirm-resend",
    ),
    path(
        _("lists/confirm/<str:token>/"),
        views.SubscriptionConfirmView.as_view(),
        name="subscription-confirm",
    ),
    path(_("lists/preferences/<str:token>/"), views.PreferencesView.as_view(), name="preferences"),
    path(_("lists/unsubscribe/<str:token>/"), views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("lists/o/<str:token>/", views.delivery_open, name="open"),
]
