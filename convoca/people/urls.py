from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.people import views

app_name = "people"

urlpatterns = [
    path(_("my-data/"), views.DataAccessRequestView.as_view(), name="data-request"),
    path(_("my-data/link/<str:token>/"), views.DataAccessView.as_view(), name="data-access"),
    path(_("my-data/mine/"), views.PersonDataView.as_view(), name="person-data"),
    path(
        _("my-data/mine/download/"), views.PersonDataDownloadView.as_view(), name="person-download"
    ),
    path(_("my-data/mine/erase/"), views.PersonEraseView.as_view(), name="person-erase"),
]
