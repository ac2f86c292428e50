from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline

from convoca.core.audit import AuditedAdminMixin, audit_record
from convoca.core.crypto import email_index, value_index
from convoca.core.csv import csv_download, csv_stream
from convoca.organisations.models import Organisation
from convoca.organisations.scoping import OrganisationScopedAdmin, staff_organisation_id
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.people.forms import PersonImportMappingForm, PersonImportUploadForm
from convoca.people.imports import (
    FAILURES,
    FIELDS,
    ImportFileDamaged,
    ImportFileRefused,
    person_import_confirm,
    person_import_create,
    person_import_discard,
    person_import_map,
    person_import_preview_rows,
)
from convoca.people.models import Activity, Consent, Person, PersonImport, PersonTag, Tag
from convoca.people.selectors import person_list_visible_to
from convoca.people.services import (
    person_erase,
    person_save,
    person_tag_add,
    person_untag,
    tag_delete,
    tag_save,
)


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = readonly_fields = ["organisation", "purpose", "source", "given_at", "withdrawn_at"]


class ActivityInline(ReadOnlyInline):
    model = Activity
    fields = readonly_fields = ["occurred_at", "kind", "organisation", "summary"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation")
        if user_is_coordinator(request.user):
            return queryset
        return queryset.filter(organisation_id__in=organisation_ids_for_user(request.user))


class PersonTagInline(TabularInline):
    model = PersonTag
    extra = 0
    fields = ["tag", "added_at"]
    readonly_fields = ["added_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("tag")
        if user_is_coordinator(request.user):
            return queryset
        return queryset.filter(tag__organisation_id__in=organisation_ids_for_user(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tag" and not user_is_coordinator(request.user):
            kwargs["queryset"] = Tag.objects.filter(
                organisation_id__in=organisation_ids_for_user(request.user, can_edit=True)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return user_is_coordinator(request.user) or bool(
            organisation_ids_for_user(request.user, can_edit=True)
        )

    has_change_permission = has_delete_permission = has_add_permission


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, ModelAdmin):
    """Supporters, as far as the staff member may see them (see ``person_list_visible_to``).

    Opening a supporter's page, listing or searching supporters and erasing
    them are recorded in the audit trail.
    """

    audit_view_verb = "view person"
    audit_list_verb = "list people"
    audit_search_verb = "search people"

    list_display = [
        "display_email", "display_name", "country", "display_city", "language", "confirmed",
    ]  # fmt: skip
    list_filter = ["country", "language", ("email_confirmed_at", admin.EmptyFieldListFilter)]
    # Encrypted: found by their blind indexes (get_search_results), never by text.
    search_fields = ["postal_code_index"]
    search_help_text = _("Search by exact email address, city or postal code.")
    list_per_page = 50
    show_full_result_count = False
    inlines = [PersonTagInline, ConsentInline, ActivityInline]
    actions = ["erase_selected"]
    personal_fields = ["email", "given_name", "family_name", "phone", "street_address"]
    fieldsets = (
        (None, {"fields": ["email", ("given_name", "family_name"), "phone", "language"]}),
        (_("Address"), {"fields": ["street_address", ("postal_code", "city"), "country"]}),
        (_("Record"), {"fields": ["email_confirmed_at", "created_at", "updated_at", "erased_at"]}),
    )

    def get_queryset(self, request):
        return person_list_visible_to(request.user)

    def audit_organisation(self, request, obj=None):
        # A person is not one organisation's: the trail names the one the staff member acts for.
        return staff_organisation_id(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term:
            return queryset.filter(email_index=email_index(term)), False
        if not term:
            return queryset, False
        return queryset.filter(
            Q(city_index=value_index(term, purpose="locality"))
            | Q(postal_code_index=value_index(term, purpose="postal_code"))
        ), False

    def get_readonly_fields(self, request, obj=None):
        always = ["email", "email_confirmed_at", "created_at", "updated_at", "erased_at"]
        if user_is_coordinator(request.user):
            return always
        # Organisers share people with other organisations; only a
        # coordinator, or the person themself, changes their details.
        return [*always, *self.personal_fields, "postal_code", "city", "country", "language"]

    def has_module_permission(self, request):
        return user_is_coordinator(request.user) or bool(organisation_ids_for_user(request.user))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # people arrive through forms and imports, with their consent

    def has_change_permission(self, request, obj=None):
        return user_is_coordinator(request.user) or bool(
            organisation_ids_for_user(request.user, can_edit=True)
        )

    def has_delete_permission(self, request, obj=None):
        return False  # erase instead: it keeps counts right

    def save_model(self, request, obj, form, change):
        if form.changed_data:  # an organiser's page has only the tags to change
            person_save(person=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PersonTag:  # consents and activity are read only
            return
        added = formset.save(commit=False)
        for gone in formset.deleted_objects:
            person_untag(person_tag=gone)
        for person_tag, _fields in formset.changed_objects:
            # Another tag chosen on a row: the old one comes off, the new one goes on.
            person_untag(person_tag=PersonTag(pk=person_tag.pk))
        for person_tag in added:
            person_tag_add(person=form.instance, tag=person_tag.tag)

    def _visible_or_404(self, request, object_id) -> None:
        """A person this staff member may not see answers 404 on every page, as if absent."""
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except Exception as exc:
            raise Http404 from exc
        if not visible:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_erase_permission(self, request):
        return user_is_coordinator(request.user)

    @admin.display(description=_("email"))
    def display_email(self, obj):
        return obj.email or _("(erased)")

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.full_name

    @admin.display(description=_("city"))
    def display_city(self, obj):
        return obj.city

    @admin.display(description=_("confirmed"), boolean=True)
    def confirmed(self, obj):
        return obj.email_confirmed_at is not None

    @admin.action(
        description=_("Erase the personal data of the selected people"), permissions=["erase"]
    )
    def erase_selected(self, request, queryset):
        count = 0
        for person in queryset.filter(erased_at__isnull=True):
            person_erase(person=person)
            count += 1
        if count:
            audit_record(
                user=request.user,
                verb="erase people",
                target=f"{count} selected",
                count=count,
                organisation=self.audit_organisation(request),
            )
        self.message_user(
            request,
            ngettext("Erased %(count)d person.", "Erased %(count)d people.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Tag)
class TagAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        tag_save(tag=obj)

    def delete_model(self, request, obj):
        tag_delete(tag=obj)

    def delete_queryset(self, request, queryset):
        for tag in queryset:
            tag_delete(tag=tag)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation and user_is_coordinator(request.user):
            kwargs["required"] = False
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PersonImport)
class PersonImportAdmin(OrganisationScopedAdmin):
    """Imports of supporters from a CSV file: upload, columns, preview, progress, report.

    Each step is a plain page (no JavaScript needed): while the file is read
    or imported, the page reloads itself every few seconds.
    """

    list_display = [
        "__str__", "organisation", "format", "status", "created_at", "created", "merged", "skipped",
    ]  # fmt: skip
    list_filter = ["status", "format"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False  # the report stays; the file itself is deleted once done

    def get_urls(self):
        return [
            path(
                "<path:object_id>/skipped/",
                self.admin_site.admin_view(self.skipped_view),
                name="people_personimport_skipped",
            ),
            *super().get_urls(),
        ]

    def _organisations(self, request):
        active = Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name")
        if user_is_coordinator(request.user):
            return active
        return active.filter(pk__in=organisation_ids_for_user(request.user, can_edit=True))

    def _render(self, request, template, context, status=200):
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
            status=status,
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Upload: the file is checked, stored encrypted, then read in the background."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        organisations = self._organisations(request)
        if request.method == "POST":
            form = PersonImportUploadForm(request.POST, request.FILES, organisations=organisations)
            if form.is_valid():
                try:
                    person_import = person_import_create(
                        organisation=form.cleaned_data["organisation"],
                        user=request.user,
                        file_format=form.cleaned_data["file_format"],
                        upload=form.cleaned_data["file"],
                        language=translation.get_language() or settings.LANGUAGE_CODE,
                    )
                except ImportFileRefused as refused:
                    form.add_error("file", str(refused))
                else:
                    return redirect("admin:people_personimport_change", person_import.pk)
        else:
            form = PersonImportUploadForm(organisations=organisations)
        return self._render(
            request,
            "admin/people/personimport_upload.html",
            {"title": gettext("Import supporters"), "form": form},
            status=400 if form.errors else 200,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The import's page: its columns, preview, progress or report, by where it stands."""
        person_import = self._object_in_scope_or_404(request, object_id)
        can_change = self.has_change_permission(request, person_import)
        mapping_form = None
        if person_import.format == PersonImport.Format.GENERIC and person_import.status in (
            PersonImport.Status.MAPPING,
            PersonImport.Status.READY,
        ):
            mapping_form = PersonImportMappingForm(
                request.POST if request.POST.get("do") == "map" else None,
                header=person_import.header,
                initial_mapping=person_import.mapping,
            )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            what = request.POST.get("do")
            if what == "map" and mapping_form is not None:
                if mapping_form.is_valid():
                    person_import_map(person_import=person_import, mapping=mapping_form.mapping())
                    return redirect(request.path)
            elif what == "confirm":
                person_import_confirm(person_import=person_import)
                return redirect(request.path)
            elif what == "discard":
                person_import_discard(person_import=person_import)
                return redirect(request.path)
            else:
                return HttpResponseBadRequest()
        preview = []
        if person_import.status == PersonImport.Status.READY:
            try:
                preview = person_import_preview_rows(person_import=person_import)
            except ImportFileDamaged:
                preview = []
        columns = {field: person_import.header[pos] for field, pos in person_import.mapping.items()}
        return self._render(
            request,
            "admin/people/personimport_detail.html",
            {
                "title": str(person_import),
                "original": person_import,
                "person_import": person_import,
                "can_change": can_change,
                "mapping_form": mapping_form,
                "columns": [(label, columns.get(field)) for field, label in FIELDS],
                "preview": preview,
                "skips": person_import.skips.all()[:200],
                "refresh": person_import.status
                in (PersonImport.Status.ANALYSING, PersonImport.Status.IMPORTING),
                "failure": FAILURES.get(person_import.error, ""),
            },
            status=400 if mapping_form is not None and mapping_form.errors else 200,
        )

    def skipped_view(self, request, object_id):
        """Every skipped row's number and reason, as CSV (no personal data in it)."""
        person_import = self._object_in_scope_or_404(request, object_id)
        rows = (
            (skip.row, skip.get_reason_display())
            for skip in person_import.skips.all().iterator(chunk_size=2000)
        )
        return csv_download(
            csv_stream(rows, header=[gettext("row"), gettext("reason")]),
            filename=f"skipped-rows-{str(person_import.pk)[:8]}.csv",
        )
