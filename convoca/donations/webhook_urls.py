"""Provider webhooks: outside the language prefixes, one fixed address per provider."""

from django.urls import path

from convoca.donations import views

app_name = "donations-webhooks"

urlpatterns = [
    path("<slug:provider_name>/", views.webhook_receive, name="webhook"),
]
