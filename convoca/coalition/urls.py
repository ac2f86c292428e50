from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.coalition import views
from convoca.coalition.services import join_request_confirmation_resend
from convoca.core.links import LinkResendView

app_name = "coalition"

urlpatterns = [
    path(_("organisations/"), views.organisation_list, name="organisation-list"),
    path(
        _("join-the-coalition/"),
        views.AffiliationRequestCreateView.as_view(),
        name="affiliation-create",
    ),
    path(_("join-the-coalition/thanks/"), views.affiliation_thanks, name="affiliation-thanks"),
    path(_("working-groups/"), views.working_group_list, name="working-group-list"),
    # Before the confirmation link, whose token would match "new-link".
    path(
        _("working-groups/confirm/new-link/"),
        LinkResendView.as_view(resend=join_request_confirmation_resend),
        name="join-confirm-resend",
    ),
    path(
        _("working-groups/confirm/<str:token>/"),
        views.JoinRequestConfirmView.as_view(),
        name="join-confirm",
    ),
    path(
        _("working-groups/review/<str:token>/"),
        views.JoinRequestReviewView.as_view(),
        name="join-review",
    ),
    path(
        _("working-groups/<slug:slug>/"),
        views.WorkingGroupDetailView.as_view(),
        name="working-group-detail",
    ),
    path(_("working-groups/<slug:slug>/sent/"), views.join_sent, name="join-sent"),
    path(
        _("organisers/set-password/<uidb64>/<token>/"),
        views.OrganiserSetPasswordView.as_view(),
        name="organiser-set-password",
    ),
    path(
        _("organisers/password-set/"),
        views.organiser_password_set,
        name="organiser-password-set",
    ),
]
