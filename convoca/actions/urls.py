from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.actions import embed, views
from convoca.actions.services import signature_confirmation_resend
from convoca.core.links import LinkResendView

app_name = "actions"

urlpatterns = [
    # First: signing is the busiest address (convoca/urls.py includes this list first too).
    path(_("actions/<slug:slug>/sign/"), views.ActionSignView.as_view(), name="action-sign"),
    path(_("actions/"), views.action_list, name="action-list"),
    path(_("actions/<slug:slug>/"), views.action_detail, name="action-detail"),
    path(_("actions/<slug:slug>/thanks/"), views.action_thanks, name="action-thanks"),
    path(_("actions/<slug:slug>/signers/"), views.action_signers, name="action-signers"),
    # Before the confirmation link, whose token would match "new-link".
    path(
        _("confirm/new-link/"),
        LinkResendView.as_view(resend=signature_confirmation_resend),
        name="signature-confirm-resend",
    ),
    path(_("confirm/<str:token>/"), views.SignatureConfirmView.as_view(), name="signature-confirm"),
    path(_("actions/<slug:slug>/embed/"), embed.action_embed, name="action-embed"),
    path(_("actions/<slug:slug>/embed/sign/"), embed.action_embed_sign, name="action-embed-sign"),
    path(
        _("actions/<slug:slug>/embed/thanks/"),
        embed.action_embed_thanks,
        name="action-embed-thanks",
    ),
    # Not translated: consumers find it through the discovery link, in either language.
    path("oembed/", embed.oembed, name="oembed"),
]
