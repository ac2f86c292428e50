from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from convoca.actions.models import Action, Endorsement, PledgeActivation, Signature
from convoca.actions.selectors import action_figures
from convoca.actions.services import endorsement_review, pledge_activate
from convoca.coalition.scoping import OrganisationScopedAdmin


class ActionAdminForm(forms.ModelForm):
    translation_of = forms.ModelChoiceField(
        label=_("translation of"),
        queryset=Action.objects.none(),
        required=False,
        help_text=_("The same action in another language: both then share one count."),
    )

    class Meta:
        model = Action
        exclude = ["translation_key"]  # noqa: DJ006 (set from "translation of")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Action.objects.order_by("-created_at")
        if self.instance.pk:
            queryset = queryset.exclude(translation_key=self.instance.translation_key)
        self.fields["translation_of"].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("translation_of")
        if original:
            if original.language == cleaned.get("language"):
                self.add_error("translation_of", _("A translation must be in another language."))
            else:
                self.instance.translation_key = original.translation_key
        return cleaned


class PledgeActivationForm(forms.Form):
    subject_en = forms.CharField(label=_("Subject in English"), max_length=200)
    body_en = forms.CharField(
        label=_("Message in English"),
        widget=forms.Textarea,
        help_text=_("What to do now. Markdown."),
    )
    subject_es = forms.CharField(label=_("Subject in Spanish"), max_length=200)
    body_es = forms.CharField(label=_("Message in Spanish"), widget=forms.Textarea)
    confirm = forms.BooleanField(
        label=_("The trigger has happened: email every confirmed pledger now."),
        error_messages={"required": _("Tick the box to send the messages.")},
    )


@admin.register(Action)
class ActionAdmin(OrganisationScopedAdmin):
    form = ActionAdminForm
    list_display = ["title", "kind", "language", "organisation", "status", "count", "goal_now"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["co_sponsors"]
    fieldsets = (
        (
            None,
            {
                "fields": [
                    "kind",
                    "language",
                    "translation_of",
                    "title",
                    "slug",
                    "summary",
                    "body",
                    "trigger",
                ]
            },
        ),
        (_("Who"), {"fields": ["organisation", "co_sponsors"]}),
        (
            _("When and how"),
            {
                "fields": [
                    "status",
                    "starts_at",
                    "ends_at",
                    "goal",
                    "count_on_submit",
                    "show_signers",
                ]
            },
        ),
        (
            _("Questions asked"),
            {
                "fields": [
                    "ask_organisation",
                    "ask_role",
                    "ask_members",
                    "ask_comment",
                    "ask_phone",
                    "ask_place",
                ]
            },
        ),
        (
            _("After signing"),
            {"fields": ["thank_you", "next_step", "next_step_url", "share_text", "og_image"]},
        ),
    )

    @admin.display(description=_("count"))
    def count(self, obj):
        return action_figures(obj).count

    @admin.display(description=_("current goal"))
    def goal_now(self, obj):
        return action_figures(obj).goal or "—"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/activate/",
                self.admin_site.admin_view(self.activate_view),
                name="actions_action_activate",
            ),
            *super().get_urls(),
        ]

    def activate_view(self, request, object_id):
        """Activate a pledge: write the message in both languages, confirm, send."""
        self._in_scope_or_404(request, object_id)
        action = get_object_or_404(self.get_queryset(request), pk=object_id, kind="pledge")
        if not self.has_change_permission(request, action):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = PledgeActivationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            activation = pledge_activate(
                action=action,
                subjects={"en": data["subject_en"], "es": data["subject_es"]},
                bodies={"en": data["body_en"], "es": data["body_es"]},
                user=request.user,
            )
            self.message_user(
                request,
                ngettext(
                    "The pledge is activated: %(count)d pledger will be emailed.",
                    "The pledge is activated: %(count)d pledgers will be emailed.",
                    activation.recipients,
                )
                % {"count": activation.recipients},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:actions_action_change", args=[action.pk]))
        return TemplateResponse(
            request,
            "admin/actions/action_activate.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Activate the pledge"),
                "action": action,
                "form": form,
                "figures": action_figures(action),
                "opts": self.model._meta,
            },
        )


@admin.register(Signature)
class SignatureAdmin(OrganisationScopedAdmin):
    organisation_path = "action__organisation"
    list_display = [
        "__str__",
        "action",
        "country",
        "source",
        "confirmed",
        "visibility",
        "featured",
        "created_at",
    ]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        "country",
        "source",
        "visibility",
        "featured",
        "created_at",
    ]
    list_select_related = ["action"]
    list_editable = ["featured"]
    readonly_fields = [
        "action",
        "person",
        "country",
        "source",
        "confirmed_at",
        "created_at",
        "organisation_name",
        "role",
        "comment",
        "members_represented",
        "visibility",
    ]
    fields = [
        "action",
        "person",
        "organisation_name",
        "role",
        "members_represented",
        "comment",
        "country",
        "visibility",
        "featured",
        "source",
        "confirmed_at",
        "created_at",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("confirmed"), boolean=True)
    def confirmed(self, obj):
        return obj.confirmed_at is not None


@admin.register(Endorsement)
class EndorsementAdmin(OrganisationScopedAdmin):
    organisation_path = "signature__action__organisation"
    list_display = ["name", "country", "website", "status", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["name"]
    readonly_fields = ["signature", "reviewed_at"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return self.has_change_permission(request)

    @admin.action(description=_("Approve: list them publicly"), permissions=["review"])
    def approve(self, request, queryset):
        for endorsement in queryset:
            endorsement_review(endorsement=endorsement, approve=True)
        self.message_user(request, _("Approved."), messages.SUCCESS)

    @admin.action(description=_("Reject"), permissions=["review"])
    def reject(self, request, queryset):
        for endorsement in queryset:
            endorsement_review(endorsement=endorsement, approve=False)
        self.message_user(request, _("Rejected."), messages.SUCCESS)


@admin.register(PledgeActivation)
class PledgeActivationAdmin(OrganisationScopedAdmin):
    organisation_path = "action__organisation"
    list_display = ["subject_en", "action", "recipients", "activated_by", "created_at"]
    readonly_fields = [f.name for f in PledgeActivation._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
