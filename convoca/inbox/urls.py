from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.inbox import views

app_name = "inbox"

urlpatterns = [
    path(_("contact/"), views.ContactMessageCreateView.as_view(), name="contact-create"),
    path(_("contact/thanks/"), views.contact_thanks, name="contact-thanks"),
]
