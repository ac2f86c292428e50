"""API keys and webhooks in the organisers' interface: made and revoked here, secrets shown once."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from convoca.api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from convoca.api.services import (
    WebhookUrlRefused,
    api_key_create,
    api_key_revoke,
    webhook_endpoint_create,
    webhook_endpoint_save,
    webhook_retry_now,
    webhook_url_check,
)
from convoca.organisations.scoping import OrganisationScopedAdmin
from convoca.organisations.selectors import user_is_coordinator


def _secret_page(model_admin, request, *, title, explanation, secret, back):
    return TemplateResponse(
        request,
        "admin/api/secret_shown_once.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "secret": secret,
            "back": back,
        },
    )


class _OptionalOrganisationForCoordinators:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "organisation" and user_is_coordinator(request.user):
            field.required = False
        return field


@admin.register(ApiKey)
class ApiKeyAdmin(_OptionalOrganisationForCoordinators, OrganisationScopedAdmin):
    """Keys for programs that call the API: made by organisers, each shown once."""

    list_display = ["name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organisation"]
    list_select_related = ["organisation"]
    fields = ["name", "organisation"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "organisation", "prefix", "created_by", "created_at", "last_used_at",
                "revoked_at"]  # fmt: skip

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or self.fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail names the key

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, token = api_key_create(
            name=obj.name, organisation=obj.organisation, created_by=request.user
        )
        obj.pk = key.pk
        request._api_key_token = token

    def response_add(self, request, obj, post_url_continue=None):
        return _secret_page(
            self,
            request,
            title=_("API key “%(name)s” created") % {"name": obj.name},
            explanation=_("Give this key to the program as the OSDI-API-Token header."),
            secret=request._api_key_token,
            back=reverse("admin:api_apikey_changelist"),
        )

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = sum(api_key_revoke(key=key) for key in queryset)
        self.message_user(
            request,
            ngettext("Revoked %(count)d key.", "Revoked %(count)d keys.", count) % {"count": count},
            messages.SUCCESS,
        )


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "organisation", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)
        except WebhookUrlRefused as exc:
            raise forms.ValidationError(
                _("Convoca does not post to this address (%(reason)s): use a public address.")
                % {"reason": exc}
            ) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_OptionalOrganisationForCoordinators, OrganisationScopedAdmin):
    """Addresses told of new signatures, registrations, gifts and sign-ups, signed with a secret."""

    form = WebhookEndpointForm
    list_display = ["url", "organisation", "is_active", "created_at"]
    list_select_related = ["organisation"]

    def save_model(self, request, obj, form, change):
        if change:
            webhook_endpoint_save(endpoint=obj)
            return
        endpoint = webhook_endpoint_create(
            organisation=obj.organisation, url=obj.url, events=form.cleaned_data["events"]
        )
        obj.pk = endpoint.pk
        obj.secret = endpoint.secret

    def response_add(self, request, obj, post_url_continue=None):
        return _secret_page(
            self,
            request,
            title=_("Webhook for %(url)s added") % {"url": obj.url},
            explanation=_(
                "Each post carries a Convoca-Signature header made with this secret "
                "(docs/api.md shows how to check it)."
            ),
            secret=obj.secret,
            back=reverse("admin:api_webhookendpoint_changelist"),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganisationScopedAdmin):
    """Each event posted to each webhook: status, attempts and the last error, never a body."""

    organisation_path = "endpoint__organisation"
    list_display = ["created_at", "endpoint", "event", "status", "attempts", "last_error",
                    "next_attempt_at", "delivered_at"]  # fmt: skip
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    readonly_fields = list_display
    fields = readonly_fields
    actions = ["retry_now"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = webhook_retry_now(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be retried.",
                "%(count)d deliveries will be retried.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
