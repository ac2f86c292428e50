from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.actions import views

app_name = "actions"

urlpatterns = [
    path(_("actions/"), views.action_list, name="action-list"),
    path(_("actions/<slug:slug>/"), views.action_detail, name="action-detail"),
    path(_("actions/<slug:slug>/sign/"), views.ActionSignView.as_view(), name="action-sign"),
    path(_("actions/<slug:slug>/thanks/"), views.action_thanks, name="action-thanks"),
    path(_("actions/<slug:slug>/signers/"), views.action_signers, name="action-signers"),
    path(_("confirm/<str:token>/"), views.SignatureConfirmView.as_view(), name="signature-confirm"),
]
