from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.publishing import views

app_name = "publishing"

urlpatterns = [
    path(_("articles/<slug:slug>/"), views.article_detail, name="article-detail"),
]
