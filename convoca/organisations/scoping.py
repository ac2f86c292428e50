"""The organiser interface shows each staff member their own organisations' things.

``OrganisationScopedAdmin`` is the base of every admin class for a model
owned by an organisation. Coordinators see and change everything;
organisers see and change their organisations' rows; viewers only see
them. A row of another organisation answers 404, as if it did not exist:
even its existence is not disclosed.
"""

from __future__ import annotations

from functools import reduce

from django.http import Http404
from django.shortcuts import get_object_or_404
from unfold.admin import ModelAdmin

from convoca.core.translatable import SharedFieldsForm
from convoca.organisations.models import Organisation
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator


def _organisation_id_of(obj, path: str):
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    target = reduce(lambda o, hop: getattr(o, hop, None), hops, obj)
    return getattr(target, f"{last}_id", None) if target is not None else None


def staff_organisation_id(user) -> int | None:
    """The one organisation a staff member acts for, or None (a coordinator, or several)."""
    if user_is_coordinator(user):
        return None
    ids = organisation_ids_for_user(user)
    return next(iter(ids)) if len(ids) == 1 else None


class OrganisationScopedAdmin(ModelAdmin):
    #: Lookup path from the model to its owning organisation's id.
    organisation_path = "organisation"
    #: Fields only coordinators may change.
    coordinator_only_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if user_is_coordinator(request.user):
            return queryset
        lookup = "pk__in" if self.organisation_path == "pk" else f"{self.organisation_path}__in"
        return queryset.filter(**{lookup: organisation_ids_for_user(request.user)})

    # Permissions come from the membership role, not from Django's per-model
    # permissions, so a new organiser needs nothing but a membership.
    def has_module_permission(self, request):
        return user_is_coordinator(request.user) or bool(organisation_ids_for_user(request.user))

    def has_view_permission(self, request, obj=None):
        if user_is_coordinator(request.user):
            return True
        ids = organisation_ids_for_user(request.user)
        return bool(ids) and (
            obj is None or _organisation_id_of(obj, self.organisation_path) in ids
        )

    def has_add_permission(self, request, obj=None):
        return user_is_coordinator(request.user) or bool(
            organisation_ids_for_user(request.user, can_edit=True)
        )

    def has_change_permission(self, request, obj=None):
        if user_is_coordinator(request.user):
            return True
        ids = organisation_ids_for_user(request.user, can_edit=True)
        return bool(ids) and (
            obj is None or _organisation_id_of(obj, self.organisation_path) in ids
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not user_is_coordinator(request.user):
            readonly += [f for f in self.coordinator_only_fields if f not in readonly]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, SharedFieldsForm) and not user_is_coordinator(request.user):
            # A language version: "translation of" lists, and the shared organisation
            # offers, only what this staff member may edit.
            editable = organisation_ids_for_user(request.user, can_edit=True)
            form.translatable = self.model._default_manager.filter(
                **{f"{self.organisation_path}__in": editable}
            )
            form.shared_querysets = {"organisation": Organisation.objects.filter(pk__in=editable)}
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation and not user_is_coordinator(request.user):
            kwargs["queryset"] = Organisation.objects.filter(
                pk__in=organisation_ids_for_user(request.user, can_edit=True)
            )
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def audit_organisation(self, request, obj=None):
        """Whose data an audited page showed: the row's organisation, else the staff member's own.

        Read by ``core.audit.AuditedAdminMixin``; None for a coordinator's list.
        """
        if obj is not None:
            return _organisation_id_of(obj, self.organisation_path)
        return staff_organisation_id(request.user)

    def _object_in_scope_or_404(self, request, object_id):
        """The object, if this staff member's scope holds it; else 404. One query."""
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except Exception as exc:  # a malformed id is just another missing object
            raise Http404 from exc
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _in_scope_or_404(self, request, object_id):
        if object_id is None:
            return
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except Exception as exc:  # a malformed id is just another missing object
            raise Http404 from exc
        if not self.get_queryset(request).filter(pk=pk).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)


class CoordinatorOnlyAdmin(ModelAdmin):
    """For what only coordinators manage (staff accounts, memberships, keys)."""

    def has_module_permission(self, request):
        return user_is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return user_is_coordinator(request.user)

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: user_is_coordinator(request.user)
    )
