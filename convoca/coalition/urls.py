from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.coalition import views

app_name = "coalition"

urlpatterns = [
    path(_("organisations/"), views.organisation_list, name="organisation-list"),
]
