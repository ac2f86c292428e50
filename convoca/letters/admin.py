"""The organisers' side of letters: bodies and their imports, campaigns, deliveries per target."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import StackedInline

from convoca.actions.models import Action
from convoca.actions.selectors import action_list_for_staff
from convoca.core.outbox import outbox_sent_times
from convoca.core.translatable import LanguageTextsInlineMixin, language_texts
from convoca.letters.imports import (
    DISTRICT_FIELDS,
    DISTRICT_MAPPINGS,
    TARGET_FIELDS,
    TARGET_MAPPINGS,
    ImportRefused,
    mapping_from_text,
)
from convoca.letters.models import (
    District,
    LetterCampaign,
    LetterDelivery,
    LetterText,
    Target,
    TargetBody,
)
from convoca.letters.selectors import delivery_counts_per_target
from convoca.letters.services import (
    district_delete,
    district_save,
    districts_import,
    letter_campaign_delete,
    letter_campaign_save,
    target_body_delete,
    target_body_save,
    target_delete,
    target_save,
    targets_import,
)
from convoca.organisations.scoping import OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator


def _bodies_for(request):
    bodies = TargetBody.objects.all()
    if user_is_coordinator(request.user):
        return bodies
    return bodies.filter(organisation__in=organisation_ids_for_user(request.user))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    mapping = forms.ChoiceField(label=_("Columns"))
    columns = forms.CharField(
        label=_("Your own columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only for “my own columns”: one “field=column” line per field."),
    )

    def __init__(self, *args, mappings: dict, fields: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.mappings = mappings
        self.allowed = fields
        self.fields["mapping"].choices = [
            *((key, m.label) for key, m in mappings.items()),
            ("own", _("My own columns (below)")),
        ]
        self.fields["columns"].help_text = format_html(
            "{} {}",
            self.fields["columns"].help_text,
            gettext("Fields: %(fields)s.") % {"fields": ", ".join(fields)},
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mapping") == "own":
            try:
                cleaned["resolved"] = mapping_from_text(
                    cleaned.get("columns", ""), allowed=self.allowed
                )
            except ImportRefused as exc:
                self.add_error("columns", str(exc))
        elif cleaned.get("mapping"):
            cleaned["resolved"] = self.mappings[cleaned["mapping"]]
        return cleaned


@admin.register(TargetBody)
class TargetBodyAdmin(OrganisationScopedAdmin):
    list_display = ["name", "country", "organisation", "members", "imports"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        target_body_save(body=obj)

    def delete_model(self, request, obj):
        target_body_delete(body=obj)

    def delete_queryset(self, request, queryset):
        for body in queryset:
            target_body_delete(body=body)

    @admin.display(description=_("members"))
    def members(self, obj):
        return obj.targets.filter(active=True).count()

    @admin.display(description=_("import"))
    def imports(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:letters_targetbody_import_targets", args=[obj.pk]),
            gettext("Members"),
            reverse("admin:letters_targetbody_import_districts", args=[obj.pk]),
            gettext("District table"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import-members/",
                self.admin_site.admin_view(self.import_targets_view),
                name="letters_targetbody_import_targets",
            ),
            path(
                "<path:object_id>/import-districts/",
                self.admin_site.admin_view(self.import_districts_view),
                name="letters_targetbody_import_districts",
            ),
            *super().get_urls(),
        ]

    def import_targets_view(self, request, object_id):
        return self._import(
            request,
            object_id,
            mappings=TARGET_MAPPINGS,
            fields=TARGET_FIELDS,
            run=targets_import,
            title=gettext("Import the members of %(body)s"),
        )

    def import_districts_view(self, request, object_id):
        return self._import(
            request,
            object_id,
            mappings=DISTRICT_MAPPINGS,
            fields=DISTRICT_FIELDS,
            run=districts_import,
            title=gettext("Import the district table of %(body)s"),
        )

    def _import(self, request, object_id, *, mappings, fields, run, title):
        body = self._object_in_scope_or_404(request, object_id)
        if not self.has_change_permission(request, body):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, mappings=mappings, fields=fields)
            if form.is_valid():
                try:
                    report = run(
                        body=body,
                        data=form.cleaned_data["file"].read(),
                        mapping=form.cleaned_data["resolved"],
                    )
                except ImportRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    messages.success(request, gettext("The file was imported."))
        else:
            form = ImportForm(mappings=mappings, fields=fields)
        return TemplateResponse(
            request,
            "admin/letters/import.html",
            {
                **self.admin_site.each_context(request),
                "title": title % {"body": body.name},
                "body": body,
                "form": form,
                "report": report,
                "opts": self.model._meta,
                "original": body,
            },
        )


@admin.register(Target)
class TargetAdmin(OrganisationScopedAdmin):
    organisation_path = "body__organisation"
    list_display = ["name", "office", "body", "district", "email", "active", "email_bounced_at"]
    list_filter = ["body", "active"]
    search_fields = ["name", "district", "key"]
    readonly_fields = ["email_bounced_at"]
    actions = ["email_fixed"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["queryset"] = _bodies_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        target_save(target=obj)

    def delete_model(self, request, obj):
        target_delete(target=obj)

    def delete_queryset(self, request, queryset):
        for target in queryset:
            target_delete(target=target)

    @admin.action(description=_("The address works again: send it letters"))
    def email_fixed(self, request, queryset):
        for target in queryset.filter(email_bounced_at__isnull=False):
            target.email_bounced_at = None
            target_save(target=target)


@admin.register(District)
class DistrictAdmin(OrganisationScopedAdmin):
    organisation_path = "body__organisation"
    list_display = ["body", "country", "postal_code", "region", "district"]
    list_filter = ["body"]
    search_fields = ["postal_code", "region", "district"]

    def save_model(self, request, obj, form, change):
        district_save(district=obj)

    def delete_model(self, request, obj):
        district_delete(district=obj)

    def delete_queryset(self, request, queryset):
        for district in queryset:
            district_delete(district=district)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["queryset"] = _bodies_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


#: The letter in one language, as the admin edits it.
TEXT_FIELDS = ("subject", "editable_text", "fixed_text")


class LetterTextInline(LanguageTextsInlineMixin, StackedInline):
    """The letter's texts: one block per language of the site."""

    model = LetterText
    fields = ["language", *TEXT_FIELDS]
    verbose_name = _("letter in one language")
    verbose_name_plural = _("the letter in each language")


class LetterCampaignForm(forms.ModelForm):
    class Meta:
        model = LetterCampaign
        fields = ["action", "bodies", "pinned_targets", "delivery", "daily_cap"]

    def clean_action(self):
        action = self.cleaned_data["action"]
        if action.kind != Action.Kind.TARGETED:
            raise ValidationError(
                _("Choose an action of the kind “letter to decision-makers”."), code="kind"
            )
        clash = LetterCampaign.objects.filter(translation_key=action.translation_key)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("This action (in one of its languages) already has a letter campaign."),
                code="unique",
            )
        return action


@admin.register(LetterCampaign)
class LetterCampaignAdmin(OrganisationScopedAdmin):
    organisation_path = "action__shared__organisation"
    form = LetterCampaignForm
    list_display = ["action", "delivery", "daily_cap", "deliveries_link"]
    fields = ["action", "bodies", "pinned_targets", "delivery", "daily_cap", "per_target"]
    readonly_fields = ["per_target"]
    filter_horizontal = ["bodies", "pinned_targets"]
    inlines = [LetterTextInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "action":
            kwargs["queryset"] = action_list_for_staff(request.user).filter(
                shared__kind=Action.Kind.TARGETED
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "bodies":
            kwargs["queryset"] = _bodies_for(request)
        elif db_field.name == "pinned_targets":
            kwargs["queryset"] = Target.objects.filter(
                body__in=_bodies_for(request), active=True
            ).select_related("body")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The form checked the action's kind.
        letter_campaign_save(
            campaign=obj,
            bodies=form.cleaned_data.get("bodies"),
            pinned_targets=form.cleaned_data.get("pinned_targets"),
        )

    def delete_model(self, request, obj):
        letter_campaign_delete(campaign=obj)

    def delete_queryset(self, request, queryset):
        for campaign in queryset:
            letter_campaign_delete(campaign=campaign)

    def save_related(self, request, form, formsets, change):
        # ``letter_campaign_save`` set whom it writes to; the texts are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # Through the service, the one write path for a campaign and its texts.
        texts, removed = language_texts(formset, TEXT_FIELDS)
        letter_campaign_save(campaign=form.instance, texts=texts, texts_removed=removed)

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, obj):
        url = reverse("admin:letters_letterdelivery_changelist")
        return format_html(
            '<a href="{}?campaign__id__exact={}">{}</a>', url, obj.pk, gettext("See")
        )

    @admin.display(description=_("deliveries per decision-maker"))
    def per_target(self, obj):
        if obj.pk is None:
            return "-"
        rows = delivery_counts_per_target(obj)
        if not rows:
            return gettext("No letter confirmed yet.")
        sent = outbox_sent_times(
            LetterDelivery.objects.filter(campaign=obj)
            .exclude(outbox_key="")
            .values_list("outbox_key", flat=True)
            .distinct()
        )
        sent_per_target: dict[int, int] = {}
        for target_id in LetterDelivery.objects.filter(
            campaign=obj, outbox_key__in=list(sent)
        ).values_list("target_id", flat=True):
            sent_per_target[target_id] = sent_per_target.get(target_id, 0) + 1
        statuses = LetterDelivery.Status
        head = format_html_join(
            "",
            "<th>{}</th>",
            [(gettext("Decision-maker"),), (gettext("Letters"),), (gettext("Sent"),)]
            + [(label,) for _value, label in statuses.choices],
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
            [
                (
                    row.target,
                    row.total,
                    sent_per_target.get(row.target.pk, 0),
                    format_html_join(
                        "", "<td>{}</td>", [(row.counts[v],) for v in statuses.values]
                    ),
                )
                for row in rows
            ],
        )
        return format_html('<table class="letters-per-target"><tr>{}</tr>{}</table>', head, body)


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(OrganisationScopedAdmin):
    """Read only: what became of each letter to each decision-maker (never the text)."""

    organisation_path = "campaign__action__shared__organisation"
    list_display = ["target", "campaign", "status", "in_digest", "queued_at", "created_at"]
    list_filter = ["status", "in_digest", "campaign", "target__body"]
    list_select_related = ["target", "campaign__action"]
    fields = ["target", "campaign", "status", "in_digest", "queued_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
