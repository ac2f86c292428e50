"""The organisers' side of mailings: lists, subscribers, composing, targeting, sending."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from unfold.admin import StackedInline

from convoca.core.forms import OneLineField
from convoca.core.models import OutboxEmail
from convoca.core.outbox import outbox_counts, outbox_retry_now
from convoca.core.translatable import (
    LanguageTextsInlineMixin,
    LanguageVersionsFormSet,
    language_texts,
)
from convoca.mailings.compose import MailingComposer, Recipient
from convoca.mailings.models import (
    Mailing,
    MailingList,
    MailingListText,
    Subscription,
    Suppression,
)
from convoca.mailings.selectors import (
    audience_filters,
    mailing_list_subscriber_counts,
    mailing_progress,
    mailing_recipient_count,
)
from convoca.mailings.services import (
    MailingNotReady,
    mailing_cancel,
    mailing_list_save,
    mailing_pause,
    mailing_resume,
    mailing_save,
    mailing_schedule,
    mailing_send_now,
    mailing_send_test,
)
from convoca.organisations.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LIST_TEXT_FIELDS = ["name", "description"]


def _per_language_fields(name, label, field_factory) -> dict:
    return {
        f"{name}_{code}": field_factory(label=f"{label} ({language})", required=False)
        for code, language in settings.LANGUAGES
    }


def _with_fields(form_class, fields: dict):
    """``form_class`` with these fields declared (so the admin's fieldsets may name them)."""
    return type(form_class.__name__, (form_class,), dict(fields))


class PerLanguageForm(forms.ModelForm):
    """A model form that shows each ``{language: text}`` JSON field as one box per language."""

    per_language: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.per_language:
            values = getattr(self.instance, name) or {}
            for code in LANGUAGES:
                self.fields[f"{name}_{code}"].initial = values.get(code, "")

    def _post_clean(self):
        for name in self.per_language:
            setattr(
                self.instance,
                name,
                {
                    code: self.cleaned_data.get(f"{name}_{code}", "").strip()
                    for code in LANGUAGES
                    if self.cleaned_data.get(f"{name}_{code}", "").strip()
                },
            )
        super()._post_clean()


class MailingListTextFormSet(LanguageVersionsFormSet):
    """The list's texts: a block per language, and a name in at least one of them."""

    def clean(self):
        super().clean()
        named = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("name")
        ]
        if not named:
            raise forms.ValidationError(gettext("Give the list a name in at least one language."))


class MailingListTextInline(LanguageTextsInlineMixin, StackedInline):
    """The list's name and description: one block per language of the site."""

    model = MailingListText
    formset = MailingListTextFormSet
    fields = ["language", *LIST_TEXT_FIELDS]
    verbose_name = _("text in one language")
    verbose_name_plural = _("name and description in each language")


@admin.register(MailingList)
class MailingListAdmin(OrganisationScopedAdmin):
    fields = ["organisation", "slug", "is_public", "purpose"]
    inlines = [MailingListTextInline]
    list_display = ["label", "slug", "organisation", "purpose", "is_public", "subscribers", "page"]
    search_fields = ["slug", "versions__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def changelist_view(self, request, extra_context=None):
        self._counts = mailing_list_subscriber_counts()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        mailing_list_save(mailing_list=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not MailingListText:
            return super().save_formset(request, form, formset, change)
        # Through the service, the one write path for a list and its texts.
        texts, removed = language_texts(formset, LIST_TEXT_FIELDS)
        mailing_list_save(mailing_list=form.instance, texts=texts, texts_removed=removed)
        return None

    @admin.display(description=_("name"))
    def label(self, obj):
        return obj.label

    @admin.display(description=_("confirmed subscribers"))
    def subscribers(self, obj):
        return getattr(self, "_counts", {}).get(obj.pk, 0)

    @admin.display(description=_("public page"))
    def page(self, obj):
        if not obj.is_public:
            return "—"
        url = reverse("mailings:mailinglist-subscribe", kwargs={"slug": obj.slug})
        return format_html('<a href="{}">{}</a>', url, gettext("Subscribe page"))


@admin.register(Subscription)
class SubscriptionAdmin(OrganisationScopedAdmin):
    organisation_path = "mailing_list__organisation"
    list_display = ["mailing_list", "person", "status", "source", "created_at"]
    list_filter = ["status", "mailing_list"]
    list_select_related = ["mailing_list", "person"]
    readonly_fields = [
        "mailing_list",
        "person",
        "status",
        "source",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("mailing_list__versions")

    def has_add_permission(self, request, obj=None):
        return False  # people subscribe themselves, through double opt-in

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(CoordinatorOnlyAdmin):
    """Every transactional email and what became of it; never its address or text."""

    list_display = ["kind", "status", "attempts", "last_error", "next_attempt_at", "created_at"]
    list_filter = ["status", "kind"]
    fields = readonly_fields = [
        "kind",
        "status",
        "language",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    ordering = ["-created_at"]
    actions = ["retry_now"]
    list_before_template = "admin/core/outboxemail_counts.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return user_is_coordinator(request.user)

    def changelist_view(self, request, extra_context=None):
        counts = outbox_counts()
        extra_context = {**(extra_context or {}), "outbox_counts": counts}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        changed = outbox_retry_now(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again now.",
                "%(count)d emails will be sent again now.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )


@admin.register(Suppression)
class SuppressionAdmin(CoordinatorOnlyAdmin):
    list_display = ["__str__", "reason", "detail", "created_at"]
    list_filter = ["reason"]
    readonly_fields = ["email_index", "reason", "detail", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MailingAdminForm(PerLanguageForm):
    """Compose (subject and Markdown text per language) and target (lists, then segments)."""

    per_language = ("subject", "body_markdown", "first_name_fallback")

    countries = forms.MultipleChoiceField(
        label=_("only in these countries"), required=False, choices=[]
    )
    languages = forms.MultipleChoiceField(
        label=_("only readers of these languages"),
        required=False,
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_("only people who consented to hear from the organisation"), required=False
    )
    exclude_lists = forms.ModelMultipleChoiceField(
        label=_("leave out subscribers of"), required=False, queryset=MailingList.objects.none()
    )
    send_at = forms.DateTimeField(
        label=_("send at"),
        required=False,
        help_text=_("To schedule: the date and time (your time zone), then “Schedule”."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    #: Lists the staff member may send to; set by the admin.
    allowed_lists = None
    #: Organisations whose tags and actions may be chosen; None for all.
    organisation_ids = None

    class Meta:
        model = Mailing
        fields = ["organisation", "lists", "rate_per_minute", "track_opens"]
        widgets = {"lists": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lists" not in self.fields:
            return  # a sent mailing: nothing to edit
        lists = self.allowed_lists if self.allowed_lists is not None else MailingList.objects.all()
        lists = lists.prefetch_related("versions")  # each box shows a name
        self.fields["lists"].queryset = lists
        self.fields["exclude_lists"].queryset = lists
        self.fields["countries"].choices = list(countries)
        audience = self.instance.audience or {}
        self.fields["countries"].initial = audience.get("countries", [])
        self.fields["languages"].initial = audience.get("languages", [])
        self.fields["consent"].initial = audience.get("consent", False)
        self.fields["exclude_lists"].initial = audience.get("exclude_lists", [])
        self.fields["send_at"].initial = (
            timezone.localtime(self.instance.send_at) if self.instance.send_at else None
        )
        for audience_filter in audience_filters():
            choices = audience_filter.choices(self.organisation_ids)
            for key in (audience_filter.key, f"exclude_{audience_filter.key}"):
                if key in self.fields:
                    self.fields[key].choices = choices
                    self.fields[key].initial = audience.get(key, [])

    def clean(self):
        cleaned = super().clean()
        if not any(
            cleaned.get(f"subject_{code}") and cleaned.get(f"body_markdown_{code}")
            for code in LANGUAGES
        ):
            raise forms.ValidationError(
                gettext("Write a subject and a text in at least one language.")
            )
        for code in LANGUAGES:
            if bool(cleaned.get(f"subject_{code}")) != bool(cleaned.get(f"body_markdown_{code}")):
                self.add_error(
                    f"body_markdown_{code}",
                    gettext("Give this language both a subject and a text, or neither."),
                )
        return cleaned

    def _post_clean(self):
        audience = {
            "countries": self.cleaned_data.get("countries") or [],
            "languages": self.cleaned_data.get("languages") or [],
            "consent": bool(self.cleaned_data.get("consent")),
            "exclude_lists": [ml.pk for ml in self.cleaned_data.get("exclude_lists") or []],
        }
        for audience_filter in audience_filters():
            for key in (audience_filter.key, f"exclude_{audience_filter.key}"):
                audience[key] = self.cleaned_data.get(key) or []
        self.instance.audience = {k: v for k, v in audience.items() if v}
        super()._post_clean()


def mailing_admin_form() -> type[MailingAdminForm]:
    """The form with its per-language boxes and one pair of fields per audience filter.

    Built when asked: apps register their audience filters in ``ready()``,
    after the admin modules are imported.
    """
    fields = {
        **_per_language_fields("subject", _("subject"), OneLineField),
        **_per_language_fields(
            "body_markdown",
            _("text"),
            lambda **kw: forms.CharField(
                widget=forms.Textarea(attrs={"rows": 14}),
                help_text=_("Markdown. {{ first_name }} is replaced by the reader's first name."),
                **kw,
            ),
        ),
        **_per_language_fields(
            "first_name_fallback",
            _("when the first name is unknown"),
            lambda **kw: OneLineField(help_text=_("For example: friend."), **kw),
        ),
    }
    for audience_filter in audience_filters():
        for prefix, label in (
            ("", _("only people with: %(what)s")),
            ("exclude_", _("leave out people with: %(what)s")),
        ):
            fields[f"{prefix}{audience_filter.key}"] = forms.MultipleChoiceField(
                label=label % {"what": audience_filter.label}, required=False, choices=[]
            )
    return _with_fields(MailingAdminForm, fields)


@admin.register(Mailing)
class MailingAdmin(OrganisationScopedAdmin):
    change_form_template = "admin/mailings/mailing_change_form.html"
    list_display = ["__str__", "organisation", "status", "send_at", "recipients", "progress_link"]
    list_filter = ["status"]
    readonly_fields = ["status", "recipient_count", "started_at", "finished_at"]

    @staticmethod
    def _editable(obj) -> bool:
        return obj is None or obj.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)

    def get_fieldsets(self, request, obj=None):
        if not self._editable(obj):
            # What was sent stays as it was sent.
            return [
                (_("Message"), {"fields": ["subject", "body_markdown", "first_name_fallback"]}),
                (_("Audience"), {"fields": ["organisation", "lists", "audience"]}),
                (
                    _("Sending"),
                    {
                        "fields": [
                            "send_at",
                            "rate_per_minute",
                            "track_opens",
                            "status",
                            "recipient_count",
                            "started_at",
                            "finished_at",
                        ]
                    },
                ),
            ]
        audience = ["countries", "languages", "consent"]
        for audience_filter in audience_filters():
            audience += [audience_filter.key, f"exclude_{audience_filter.key}"]
        audience.append("exclude_lists")
        return [
            (
                _("Message"),
                {
                    "fields": [
                        *[
                            f"{name}_{code}"
                            for code in LANGUAGES
                            for name in ("subject", "body_markdown")
                        ],
                        *[f"first_name_fallback_{code}" for code in LANGUAGES],
                    ]
                },
            ),
            (_("Audience"), {"fields": ["organisation", "lists", *audience]}),
            (
                _("Sending"),
                {
                    "fields": [
                        "send_at",
                        "rate_per_minute",
                        "track_opens",
                        "status",
                        "recipient_count",
                        "started_at",
                        "finished_at",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            # What was sent stays as it was sent.
            return [
                name for _title, spec in self.get_fieldsets(request, obj) for name in spec["fields"]
            ]
        return readonly

    def _allowed_lists(self, request):
        if user_is_coordinator(request.user):
            return MailingList.objects.all()
        return MailingList.objects.filter(
            organisation_id__in=organisation_ids_for_user(request.user, can_edit=True)
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not self._editable(obj):
            kwargs["fields"] = []
        kwargs["form"] = mailing_admin_form()
        form = super().get_form(request, obj, change=change, **kwargs)
        form.allowed_lists = self._allowed_lists(request)
        form.organisation_ids = (
            None
            if user_is_coordinator(request.user)
            else organisation_ids_for_user(request.user, can_edit=True)
        )
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if "send_at" in form.cleaned_data:
            obj.send_at = form.cleaned_data["send_at"]
        # What was sent stays as it was sent: mailing_save changes only a draft or a
        # scheduled mailing.
        mailing_save(mailing=obj, lists=form.cleaned_data.get("lists"))

    def save_related(self, request, form, formsets, change):
        # The lists, its one many-to-many field, were saved by mailing_save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return obj.recipient_count if obj.started_at else "—"

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:mailings_mailing_progress", args=[obj.pk]),
            gettext("Progress and figures"),
        )

    def get_urls(self):
        def view(name, func):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(func),
                name=f"mailings_mailing_{name}",
            )

        return [
            # Before the object URLs, which would take "try" for an id.
            path(
                "try/",
                self.admin_site.admin_view(self.try_view),
                name="mailings_mailing_try",
            ),
            view("progress", self.progress_view),
            view("preview", self.preview_view),
            view("send", self.send_view),
            *super().get_urls(),
        ]

    def _get(self, request, object_id) -> Mailing:
        self._in_scope_or_404(request, object_id)
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "languages": settings.LANGUAGES}
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        mailing = self.get_queryset(request).filter(pk=object_id).first()
        if mailing is not None:
            extra_context["recipient_total"] = mailing_recipient_count(mailing=mailing)
            extra_context["mailing"] = mailing
            extra_context["can_send"] = self.has_change_permission(request, mailing)
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, object_id):
        """Sent, failed, remaining, rate and time left while sending; provider figures after."""
        mailing = self._get(request, object_id)
        progress = mailing_progress(mailing=mailing)
        return TemplateResponse(
            request,
            "admin/mailings/mailing_progress.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Sending: %(subject)s") % {"subject": mailing},
                "mailing": mailing,
                "original": mailing,
                "progress": progress,
                "eta_minutes": (progress.eta_seconds + 59) // 60 if progress.eta_seconds else None,
                "refresh": mailing.status == Mailing.Status.SENDING,
                "can_send": self.has_change_permission(request, mailing),
                "opts": self.model._meta,
            },
        )

    def preview_view(self, request, object_id):
        """The HTML email as a reader in ``?language=`` sees it, greeted by the organiser's name."""
        mailing = self._get(request, object_id)
        return self._preview(request, mailing, request.GET.get("language", ""))

    @staticmethod
    def _preview(request, mailing: Mailing, language: str) -> HttpResponse:
        if not mailing.languages:
            return HttpResponse(gettext("Nothing to show yet: write a subject and a text."))
        composer = MailingComposer(mailing, test=True)
        _subject, _text, html_body, _headers = composer.parts(
            Recipient(
                delivery_id=0,
                person_id="preview",
                email=request.user.email,
                given_name=request.user.first_name,
                language=language if language in mailing.languages else mailing.languages[0],
            )
        )
        return HttpResponse(html_body)

    def try_view(self, request):
        """Preview or test the mailing being written on the add form; nothing is saved.

        The add form's buttons post its data here (in a new tab, so the form
        stays as it was typed): ``try=preview-<language>`` answers with the
        HTML email, ``try=test`` sends a test in each language to the staff
        member's own address through the mailings' test send.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        form_class = self.get_form(
            request, None, change=False, fields=flatten_fieldsets(self.get_fieldsets(request))
        )
        form = form_class(request.POST)
        what = request.POST.get("try", "")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Try the mailing"),
            "form": form,
            "opts": self.model._meta,
        }
        if not form.is_valid():
            return TemplateResponse(request, "admin/mailings/mailing_try.html", context, status=400)
        mailing = form.instance  # built from the form, never saved
        if what.startswith("preview-"):
            return self._preview(request, mailing, what.removeprefix("preview-"))
        if what != "test":
            return HttpResponseBadRequest()
        if not request.user.email:
            context["failure"] = gettext("Your account has no email address.")
        else:
            context["sent"] = gettext(
                "A test in each language (%(languages)s) went to %(email)s."
            ) % {
                "languages": ", ".join(
                    mailing_send_test(
                        mailing=mailing,
                        email=request.user.email,
                        given_name=request.user.first_name,
                    )
                ),
                "email": request.user.email,
            }
        return TemplateResponse(request, "admin/mailings/mailing_try.html", context)

    def send_view(self, request, object_id):
        """The buttons under the form: test, send now, schedule, pause, resume, cancel."""
        mailing = self._get(request, object_id)  # 404 before 405
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, mailing):
            raise PermissionDenied
        what = request.POST.get("do", "")
        change_url = reverse("admin:mailings_mailing_change", args=[mailing.pk])
        progress_url = reverse("admin:mailings_mailing_progress", args=[mailing.pk])
        try:
            if what == "test":
                if not request.user.email:
                    self.message_user(
                        request, gettext("Your account has no email address."), messages.ERROR
                    )
                    return redirect(change_url)
                languages = mailing_send_test(
                    mailing=mailing, email=request.user.email, given_name=request.user.first_name
                )
                self.message_user(
                    request,
                    gettext("A test in each language (%(languages)s) is on its way to %(email)s.")
                    % {"languages": ", ".join(languages), "email": request.user.email},
                    messages.SUCCESS,
                )
                return redirect(change_url)
            if what == "send":
                mailing = mailing_send_now(mailing=mailing)
                self.message_user(
                    request,
                    ngettext(
                        "Sending to %(count)d person.",
                        "Sending to %(count)d people.",
                        mailing.recipient_count,
                    )
                    % {"count": mailing.recipient_count},
                    messages.SUCCESS,
                )
                return redirect(progress_url)
            if what == "schedule":
                if not mailing.send_at or mailing.send_at <= timezone.now():
                    self.message_user(
                        request,
                        gettext("Set a date and time in the future, save, then schedule."),
                        messages.ERROR,
                    )
                    return redirect(change_url)
                mailing_schedule(mailing=mailing, send_at=mailing.send_at)
                self.message_user(request, gettext("Scheduled."), messages.SUCCESS)
                return redirect(change_url)
            if what == "pause":
                mailing_pause(mailing=mailing)
            elif what == "resume":
                mailing_resume(mailing=mailing)
            elif what == "cancel":
                count = mailing_cancel(mailing=mailing)
                self.message_user(
                    request,
                    ngettext(
                        "Cancelled: %(count)d person will not receive it.",
                        "Cancelled: %(count)d people will not receive it.",
                        count,
                    )
                    % {"count": count},
                    messages.WARNING,
                )
        except MailingNotReady as exc:
            self.message_user(
                request,
                gettext("This mailing cannot be sent yet: %(why)s") % {"why": exc},
                messages.ERROR,
            )
            return redirect(change_url)
        return redirect(progress_url)
