from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.letters import views

app_name = "letters"

urlpatterns = [
    path(_("letters/<slug:slug>/"), views.letter_detail, name="letter-detail"),
    path(_("letters/<slug:slug>/send/"), views.LetterSendView.as_view(), name="letter-send"),
    path(_("letters/<slug:slug>/results/"), views.letter_results_view, name="letter-results"),
    path(_("letters/<slug:slug>/embed/"), views.letter_embed, name="letter-embed"),
]
