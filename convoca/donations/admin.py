"""The organiser interface for fundraisers, gifts and donors, scoped per organisation."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import StackedInline

from convoca.core.audit import AuditedAdminMixin
from convoca.core.csv import csv_download
from convoca.core.forms import OneLineField
from convoca.core.outbox import outbox_sent_at
from convoca.core.translatable import LanguageTextsInlineMixin, language_texts
from convoca.donations.emails import RECEIPT
from convoca.donations.exports import gift_export_allowed, gift_export_csv, gift_export_filename
from convoca.donations.forms import parse_amount
from convoca.donations.models import (
    Donation,
    Donor,
    Fundraiser,
    FundraiserText,
    FundraiserTotal,
    OfflineGift,
    Payment,
    WebhookEvent,
    minor_to_major,
)
from convoca.donations.selectors import fundraiser_figures, fundraiser_months
from convoca.donations.services import (
    fundraiser_close,
    fundraiser_delete,
    fundraiser_open,
    fundraiser_save,
    offline_gift_delete,
    offline_gift_save,
)
from convoca.organisations.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.models import Consent
from convoca.people.services import PersonData


class AmountField(forms.CharField):
    """An amount typed as people write it (``25``, ``25.50``, ``25,50``), kept in cents."""

    def prepare_value(self, value):
        if isinstance(value, int):
            return minor_to_major(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_amount(value)
        if amount is None:
            raise forms.ValidationError(_("Enter an amount in numbers, like 25 or 25.50."))
        return amount


class AmountsField(forms.CharField):
    """Several amounts separated by commas or spaces: ``10 25 50``."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return " ".join(minor_to_major(a) for a in value)
        return value

    def to_python(self, value):
        value = super().to_python(value) or ""
        amounts = []
        for part in value.replace(";", " ").replace(",", " ").split():
            amount = parse_amount(part)
            if amount is None:
                raise forms.ValidationError(
                    _("Write whole amounts separated by spaces, like 10 25 50.")
                )
            amounts.append(amount)
        return amounts


class FundraiserAdminForm(forms.ModelForm):
    goal = AmountField(label=_("goal"), help_text=_("In the fundraiser's currency, e.g. 5000."))
    minimum_amount = AmountField(label=_("smallest gift"), initial=100)
    suggested_amounts = AmountsField(
        label=_("suggested amounts"),
        required=False,
        help_text=_("Separated by spaces, e.g. 10 25 50."),
    )

    class Meta:
        model = Fundraiser
        fields = [
            "organisation",
            "slug",
            "status",
            "deadline",
            "currency",
            "goal",
            "suggested_amounts",
            "minimum_amount",
            "allow_monthly",
            "show_donors",
        ]


def _scoped_fundraisers(request):
    queryset = Fundraiser.objects.all()
    if not user_is_coordinator(request.user):
        queryset = queryset.filter(
            organisation_id__in=organisation_ids_for_user(request.user, can_edit=True)
        )
    return queryset


#: The texts of one language version, as the admin edits them.
TEXT_FIELDS = ("title", "summary", "body", "thank_you")


class FundraiserTextInline(LanguageTextsInlineMixin, StackedInline):
    """The fundraiser's title and texts: one block per language of the site."""

    model = FundraiserText
    fields = ["language", *TEXT_FIELDS]
    verbose_name = _("text in one language")
    verbose_name_plural = _("title and texts in each language")


@admin.register(Fundraiser)
class FundraiserAdmin(OrganisationScopedAdmin):
    form = FundraiserAdminForm
    inlines = [FundraiserTextInline]
    list_display = [
        "__str__",
        "organisation",
        "status",
        "raised",
        "goal_shown",
        "donors",
        "totals",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["versions__title", "slug"]
    fieldsets = (
        (None, {"fields": ["organisation", "slug", "status", "deadline"]}),
        (
            _("Money"),
            {
                "fields": [
                    "currency",
                    "goal",
                    "suggested_amounts",
                    "minimum_amount",
                    "allow_monthly",
                    "show_donors",
                ]
            },
        ),
    )

    actions = ["open_fundraisers", "close_fundraisers"]

    def save_model(self, request, obj, form, change):
        fundraiser_save(fundraiser=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not FundraiserText:
            return super().save_formset(request, form, formset, change)
        # Through the service, the one write path for a fundraiser and its texts.
        texts, removed = language_texts(formset, TEXT_FIELDS)
        fundraiser_save(fundraiser=form.instance, texts=texts, texts_removed=removed)
        return None

    def delete_model(self, request, obj):
        fundraiser_delete(fundraiser=obj)

    def delete_queryset(self, request, queryset):
        for fundraiser in queryset:
            fundraiser_delete(fundraiser=fundraiser)

    @admin.action(description=_("Open: take gifts"), permissions=["change"])
    def open_fundraisers(self, request, queryset):
        fundraisers = list(queryset.exclude(status=Fundraiser.Status.OPEN))
        for fundraiser in fundraisers:
            fundraiser_open(fundraiser=fundraiser)
        self.message_user(
            request,
            ngettext(
                "%(count)d fundraiser opened.", "%(count)d fundraisers opened.", len(fundraisers)
            )
            % {"count": len(fundraisers)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Close: take no more gifts online"), permissions=["change"])
    def close_fundraisers(self, request, queryset):
        fundraisers = list(queryset.exclude(status=Fundraiser.Status.CLOSED))
        for fundraiser in fundraisers:
            fundraiser_close(fundraiser=fundraiser)
        self.message_user(
            request,
            ngettext(
                "%(count)d fundraiser closed.", "%(count)d fundraisers closed.", len(fundraisers)
            )
            % {"count": len(fundraisers)},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        total = FundraiserTotal.objects.filter(pk=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .select_related("organisation")
            .prefetch_related("versions")
            .annotate(
                raised_amount=Subquery(total.values("amount")),
                donor_count=Subquery(total.values("donors")),
            )
        )

    @admin.display(description=_("raised"))
    def raised(self, obj):
        return f"{minor_to_major(obj.raised_amount or 0)} {obj.currency}"

    @admin.display(description=_("goal"))
    def goal_shown(self, obj):
        return f"{minor_to_major(obj.goal)} {obj.currency}"

    @admin.display(description=_("donors"))
    def donors(self, obj):
        return obj.donor_count or 0

    @admin.display(description=_("totals"))
    def totals(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:donations_fundraiser_totals", args=[obj.pk]),
            gettext("Totals by month"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/totals/",
                self.admin_site.admin_view(self.totals_view),
                name="donations_fundraiser_totals",
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="donations_fundraiser_export",
            ),
            *super().get_urls(),
        ]

    def totals_view(self, request, object_id):
        """What a fundraiser raised, online and offline, in all and month by month."""
        fundraiser = self._object_in_scope_or_404(request, object_id)
        return TemplateResponse(
            request,
            "admin/donations/fundraiser_totals.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Totals: %(title)s") % {"title": fundraiser.title},
                "fundraiser": fundraiser,
                "original": fundraiser,
                "figures": fundraiser_figures(fundraiser),
                "months": fundraiser_months(fundraiser),
                "can_export": gift_export_allowed(fundraiser=fundraiser, user=request.user),
                "opts": self.model._meta,
            },
        )

    def export_view(self, request, object_id):
        """Download the fundraiser's gifts as CSV (POST: it writes to the audit trail)."""
        fundraiser = self._object_in_scope_or_404(request, object_id)  # 404 before 405
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not gift_export_allowed(fundraiser=fundraiser, user=request.user):
            raise PermissionDenied
        return csv_download(
            gift_export_csv(fundraiser=fundraiser, user=request.user),
            filename=gift_export_filename(fundraiser=fundraiser),
        )


class _ReadOnlyScopedAdmin(OrganisationScopedAdmin):
    organisation_path = "fundraiser__organisation"

    def get_queryset(self, request):
        # Each row names its fundraiser, whose title is a text in the reader's language.
        return super().get_queryset(request).prefetch_related("fundraiser__versions")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Donation)
class DonationAdmin(_ReadOnlyScopedAdmin):
    list_display = ["__str__", "fundraiser", "frequency", "amount_shown", "status", "created_at"]
    list_filter = ["status", "frequency", "fundraiser"]
    list_select_related = ["fundraiser"]
    date_hierarchy = "created_at"
    fields = [
        "fundraiser",
        "donor",
        "frequency",
        "amount_shown",
        "status",
        "language",
        "provider",
        "checkout_reference",
        "subscription_reference",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount_shown(self, obj):
        return f"{minor_to_major(obj.amount)} {obj.currency}"


@admin.register(Payment)
class PaymentAdmin(_ReadOnlyScopedAdmin):
    list_display = ["paid_at", "fundraiser", "amount_shown", "refunded_shown", "receipt_sent"]
    list_filter = ["fundraiser"]
    list_select_related = ["fundraiser"]
    date_hierarchy = "paid_at"
    fields = [
        "fundraiser",
        "donation",
        "amount_shown",
        "refunded_shown",
        "reference",
        "paid_at",
        "receipt_sent",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(receipt_sent_at=outbox_sent_at(RECEIPT))

    @admin.display(description=_("receipt sent"), ordering="receipt_sent_at")
    def receipt_sent(self, obj):
        return obj.receipt_sent_at

    @admin.display(description=_("amount"))
    def amount_shown(self, obj):
        return f"{minor_to_major(obj.amount)} {obj.fundraiser.currency}"

    @admin.display(description=_("refunded"))
    def refunded_shown(self, obj):
        return minor_to_major(obj.refunded)


@admin.register(Donor)
class DonorAdmin(AuditedAdminMixin, _ReadOnlyScopedAdmin):
    """Who gave: their details, what they gave, and what they agreed to."""

    list_display = ["__str__", "name", "fundraiser", "given_shown", "listed", "may_contact"]
    list_filter = ["fundraiser", "listed"]
    list_select_related = ["fundraiser", "person"]
    fields = [
        "fundraiser",
        "person",
        "name",
        "email",
        "given_shown",
        "listed",
        "public_name",
        "may_contact",
    ]
    readonly_fields = fields

    @admin.display(description=_("name"))
    def name(self, obj):
        return obj.person.full_name if not obj.person.erased_at else gettext("erased")

    @admin.display(description=_("email"))
    def email(self, obj):
        return obj.person.email

    @admin.display(description=_("given"))
    def given_shown(self, obj):
        return f"{minor_to_major(obj.given)} {obj.fundraiser.currency}"

    def get_queryset(self, request):
        # Whether each donor may be emailed by the fundraiser's organisation, in one query.
        contact = Consent.objects.filter(
            person_id=OuterRef("person_id"),
            organisation_id=OuterRef("fundraiser__organisation_id"),
            purpose=Consent.Purpose.CONTACT,
            withdrawn_at__isnull=True,
        )
        # Only people who gave: an abandoned checkout makes no donor.
        return (
            super()
            .get_queryset(request)
            .filter(first_gift_at__isnull=False)
            .annotate(contact=Exists(contact))
        )

    @admin.display(description=_("may be contacted"), boolean=True)
    def may_contact(self, obj):
        return obj.contact


class OfflineGiftForm(forms.ModelForm):
    amount = AmountField(label=_("amount"), help_text=_("In the fundraiser's currency."))
    donor_email = forms.EmailField(
        label=_("donor's email"),
        required=False,
        help_text=_("Optional: to count the gift as this person's and send nothing else."),
    )
    donor_given_name = OneLineField(label=_("donor's first name"), required=False)
    donor_family_name = OneLineField(label=_("donor's last name"), required=False)

    class Meta:
        model = OfflineGift
        fields = ["fundraiser", "amount", "method", "received_on", "donors", "note"]


@admin.register(OfflineGift)
class OfflineGiftAdmin(OrganisationScopedAdmin):
    form = OfflineGiftForm
    organisation_path = "fundraiser__organisation"
    list_display = [
        "received_on", "fundraiser", "amount_shown", "method", "donors", "display_note",
    ]  # fmt: skip
    list_filter = ["fundraiser", "method"]
    list_select_related = ["fundraiser"]
    date_hierarchy = "received_on"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("fundraiser__versions")

    @admin.display(description=_("amount"))
    def amount_shown(self, obj):
        return f"{minor_to_major(obj.amount)} {obj.fundraiser.currency}"

    # Encrypted: shown, never sorted by (the order of ciphertexts means nothing).
    @admin.display(description=_("note"))
    def display_note(self, obj):
        return obj.note

    def get_fields(self, request, obj=None):
        fields = ["fundraiser", "amount", "method", "received_on", "donors", "note"]
        if obj is None:
            fields += ["donor_email", "donor_given_name", "donor_family_name"]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fundraiser":
            kwargs["queryset"] = _scoped_fundraisers(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        person = None
        if data.get("donor_email"):
            person = PersonData(
                email=data["donor_email"],
                given_name=data.get("donor_given_name", ""),
                family_name=data.get("donor_family_name", ""),
            )
        offline_gift_save(gift=obj, user=request.user, person_data=person)

    def delete_model(self, request, obj):
        offline_gift_delete(gift=obj)

    def delete_queryset(self, request, queryset):
        for gift in queryset:
            offline_gift_delete(gift=gift)
        self.message_user(request, gettext("The totals are updated."), messages.SUCCESS)


@admin.register(WebhookEvent)
class WebhookEventAdmin(CoordinatorOnlyAdmin):
    """What the payment providers sent: for coordinators looking into a missing gift."""

    list_display = ["received_at", "provider", "kind", "status", "event_id"]
    list_filter = ["provider", "status", "kind"]
    search_fields = ["event_id"]
    fields = ["provider", "event_id", "kind", "status", "waiting_for", "occurred_at", "received_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
