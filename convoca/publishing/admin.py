from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from convoca.core.forms import OneLineField
from convoca.core.translatable import SharedFieldsForm
from convoca.organisations.scoping import CoordinatorOnlyAdmin, OrganisationScopedAdmin
from convoca.organisations.selectors import organisation_ids_for_user, user_is_coordinator
from convoca.publishing.fetch import FetchFailed, FetchRefused
from convoca.publishing.images import ACCEPTED_FORMATS, MAX_UPLOAD_BYTES, ImageInvalid
from convoca.publishing.models import (
    ARTICLE_SHARED_FIELDS,
    Article,
    ArticleShared,
    Image,
    PressCoverage,
    Topic,
    WeeklyIssue,
    WeeklyLink,
    WeeklySection,
)
from convoca.publishing.services import (
    article_delete,
    article_publish,
    article_save,
    article_unpublish,
    image_delete,
    image_save,
    link_metadata_prefill,
    press_coverage_delete,
    press_coverage_save,
    topic_delete,
    topic_save,
    weekly_issue_delete,
    weekly_issue_publish,
    weekly_issue_save,
    weekly_issue_schedule,
    weekly_link_delete,
    weekly_link_save,
    weekly_section_delete,
    weekly_section_save,
)


class LabelsForm(forms.ModelForm):
    """Edits ``{language: text}`` JSON fields as one text box per language (see ``labels_form``)."""

    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.labels:
            values = getattr(self.instance, field) or {}
            for code, _name in settings.LANGUAGES:
                self.fields[f"{field}_{code}"].initial = values.get(code, "")

    def clean(self):
        cleaned = super().clean()
        for field in self.labels:
            setattr(
                self.instance,
                field,
                {
                    code: cleaned[f"{field}_{code}"].strip()
                    for code, _name in settings.LANGUAGES
                    if (cleaned.get(f"{field}_{code}") or "").strip()
                },
            )
        return cleaned


def labels_form(model, *, fields: list[str], labels: dict, required: tuple = ()):
    """A ModelForm of ``fields`` plus one box per language for each JSON label in ``labels``.

    The boxes are declared on the class (not added in ``__init__``) so that the
    admin, which lays out a form's declared fields, shows them. The first
    language's box is required for the labels in ``required``.
    """
    attrs = {
        "Meta": type("Meta", (), {"model": model, "fields": fields}),
        "labels": labels,
        "__module__": __name__,
    }
    for field, widget in labels.items():
        verbose_name = model._meta.get_field(field).verbose_name
        for position, (code, name) in enumerate(settings.LANGUAGES):
            # A label on one line (a name, a title) unless it is a text box.
            one_line = not isinstance(widget, forms.Textarea) and widget is not forms.Textarea
            attrs[f"{field}_{code}"] = (OneLineField if one_line else forms.CharField)(
                label=format_lazy("{} ({})", verbose_name, name),
                required=field in required and position == 0,
                widget=widget,
            )
    return type(f"{model.__name__}LabelsForm", (LabelsForm,), attrs)


class ServiceWritesAdminMixin:
    """Saves and deletes go through the app's services.

    Each admin using it defines ``save_service(obj, form)`` and
    ``delete_service(obj)``, which call the services: each forgets the
    cached public pages and does what else the change needs; the admin only
    parses the form. An admin that lacks one fails when it is defined.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [name for name in ("save_service", "delete_service") if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} must define {' and '.join(missing)}")

    def save_model(self, request, obj, form, change):
        self.save_service(obj, form)

    def delete_model(self, request, obj):
        self.delete_service(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_service(obj)


# --- Topics and images ---------------------------------------------------------------


TopicForm = labels_form(
    Topic,
    fields=["slug"],
    labels={"name": forms.TextInput, "description": forms.Textarea(attrs={"rows": 3})},
    required=("name",),
)


@admin.register(Topic)
class TopicAdmin(ServiceWritesAdminMixin, CoordinatorOnlyAdmin):
    form = TopicForm
    list_display = ["__str__", "slug"]
    search_fields = ["slug", "name"]

    def save_service(self, obj, form):
        topic_save(topic=obj)

    def delete_service(self, obj):
        topic_delete(topic=obj)


class ImageForm(forms.ModelForm):
    upload = forms.ImageField(
        label=_("photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 20 MB. Kept at a few widths as new files: "
            "the location, camera and any other metadata are removed."
        ),
    )

    class Meta:
        model = Image
        fields = ["organisation", "title", "credit"]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and (
            getattr(getattr(upload, "image", None), "format", None) not in ACCEPTED_FORMATS
            or upload.size > MAX_UPLOAD_BYTES
        ):
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP photo of at most 20 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.instance.widths and not cleaned.get("upload"):
            self.add_error("upload", _("Choose a photo to upload."))
        return cleaned


@admin.register(Image)
class ImageAdmin(OrganisationScopedAdmin):
    form = ImageForm
    list_display = ["title", "preview", "organisation", "width", "height", "created_at"]
    search_fields = ["title", "credit"]
    readonly_fields = ["preview", "markdown"]
    fields = ["organisation", "title", "credit", "upload", "preview", "markdown"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj or not obj.widths:
            return "-"
        return format_html('<img src="{}" alt="" width="160">', obj.url(min(obj.widths)))

    @admin.display(description=_("to show it in a text (Markdown)"))
    def markdown(self, obj):
        if not obj or not obj.widths:
            return "-"
        alt = gettext("describe the photo here")
        return f"![{alt}]({obj.url()})"

    def delete_model(self, request, obj):
        image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            image_delete(image=image)

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload") or None
        try:
            image_save(image=obj, upload=upload)
        except ImageInvalid:
            image_save(image=obj)
            messages.error(request, gettext("That file is not a photo we can read."))


# --- Articles ------------------------------------------------------------------------


class ArticleAdminForm(SharedFieldsForm):
    """One language version's texts and publication, beside what every version shares."""

    shared_model = ArticleShared
    shared_fields = ARTICLE_SHARED_FIELDS
    translation_help = _(
        "The same text in another language: both versions then link to each other and share "
        "their kind, organisation, topics, photo and related pages."
    )

    class Meta:
        model = Article
        exclude = ["shared"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt", _("Describe the featured image for readers who cannot see it.")
            )
        return cleaned


@admin.register(Article)
class ArticleAdmin(ServiceWritesAdminMixin, OrganisationScopedAdmin):
    organisation_path = "shared__organisation"
    form = ArticleAdminForm
    list_display = [
        "title",
        "kind_shown",
        "language_shown",
        "organisation_shown",
        "status",
        "on_site",
        "published_at",
    ]
    list_filter = ["status", "shared__withdrawn", "shared__kind", "language", "shared__topics"]
    search_fields = ["title", "standfirst"]
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    actions = ["publish_now", "return_to_draft"]
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
                    "standfirst",
                    "body",
                ]
            },
        ),
        (_("Credits"), {"fields": ["organisation", "byline", "dateline"]}),
        (
            _("Topics, image and related"),
            {"fields": ["topics", "image", "image_alt", "related_actions", "related_events"]},
        ),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "withdrawn"],
                "description": _(
                    "Each language version is published on its own: a published text becomes "
                    "public at its publication time (set a time in the future to schedule it). "
                    "Taking a text off the site takes off every language."
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shared__organisation")

    def get_form(self, request, obj=None, change=False, **kwargs):
        from convoca.actions.models import Action
        from convoca.events.models import Event
        from convoca.organisations.models import Organisation

        form = super().get_form(request, obj, change=change, **kwargs)
        querysets = {
            "related_actions": Action.objects.exclude(shared__status=Action.Status.DRAFT),
            "related_events": Event.objects.filter(shared__status=Event.Status.PUBLISHED),
        }
        if not user_is_coordinator(request.user):
            editable = organisation_ids_for_user(request.user, can_edit=True)
            form.translatable = Article.objects.filter(shared__organisation__in=editable)
            querysets["organisation"] = Organisation.objects.filter(pk__in=editable)
            querysets["image"] = Image.objects.filter(organisation__in=editable)
        form.shared_querysets = querysets
        return form

    def save_service(self, obj, form):
        article_save(
            article=obj,
            shared=form.shared_data(),
            translation_of=form.cleaned_data.get("translation_of"),
        )

    # What a version shares is shown with its label, as a field of its own would be.
    @admin.display(description=_("kind"), ordering="shared__kind")
    def kind_shown(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("language"), ordering="language")
    def language_shown(self, obj):
        return obj.get_language_display()

    @admin.display(description=_("organisation"), ordering="shared__organisation__name")
    def organisation_shown(self, obj):
        return obj.organisation

    @admin.display(description=_("on the site"), boolean=True)
    def on_site(self, obj):
        return obj.is_public

    def save_related(self, request, form, formsets, change):
        # ``article_save`` set the shared topics and related pages; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_service(self, obj):
        article_delete(article=obj)

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        articles = [article for article in queryset if not article.is_public]
        for article in articles:
            article_publish(article=article)
        self.message_user(
            request,
            ngettext("%(count)d text published.", "%(count)d texts published.", len(articles))
            % {"count": len(articles)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Take off the site (every language)"), permissions=["change"])
    def return_to_draft(self, request, queryset):
        # One version per text: its other versions go with it.
        texts = {
            article.shared_id: article
            for article in queryset.filter(shared__withdrawn=False)
            if self.has_change_permission(request, article)
        }
        for article in texts.values():
            article_unpublish(article=article)
        self.message_user(
            request,
            ngettext(
                "%(count)d text taken off the site, in every language.",
                "%(count)d texts taken off the site, in every language.",
                len(texts),
            )
            % {"count": len(texts)},
            messages.SUCCESS,
        )


# --- The Weekly ----------------------------------------------------------------------


class IssuePartInline(TabularInline):
    """Inline rows of an issue: whoever may change the issue may change them.

    Django's inlines check per-model permissions, which staff here do not
    have (their role decides); so ask the issue's admin instead.
    """

    def _issue_admin(self):
        return self.admin_site._registry[WeeklyIssue]

    def has_view_permission(self, request, obj=None):
        return self._issue_admin().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        issue_admin = self._issue_admin()
        if obj is None:
            return issue_admin.has_add_permission(request)
        return issue_admin.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


WeeklySectionForm = labels_form(
    WeeklySection, fields=["position"], labels={"title": forms.TextInput}, required=("title",)
)


class WeeklySectionInline(IssuePartInline):
    model = WeeklySection
    form = WeeklySectionForm
    extra = 1


class WeeklyLinkInline(IssuePartInline):
    model = WeeklyLink
    fk_name = "issue"
    fields = ["section", "position", "url", "title", "source", "kind", "language", "note", "topic"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            issue_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = WeeklySection.objects.filter(issue_id=issue_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


WeeklyIssueForm = labels_form(
    WeeklyIssue,
    fields=["organisation", "number", "date", "status", "publish_at"],
    labels={"intro": forms.Textarea(attrs={"rows": 4})},
)


@admin.register(WeeklyIssue)
class WeeklyIssueAdmin(ServiceWritesAdminMixin, OrganisationScopedAdmin):
    form = WeeklyIssueForm
    list_display = ["number", "date", "status", "publish_at", "published_at"]
    list_filter = ["status"]
    inlines = [WeeklySectionInline, WeeklyLinkInline]
    readonly_fields = ["published_at", "mailing_handed_over_at"]
    actions = ["schedule_for_friday", "publish_now"]

    def save_service(self, obj, form):
        weekly_issue_save(issue=obj)

    def delete_service(self, obj):
        weekly_issue_delete(issue=obj)

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)
        for gone in formset.deleted_objects:
            if isinstance(gone, WeeklyLink):
                weekly_link_delete(link=gone)
            else:
                weekly_section_delete(section=gone)
        for row in rows:
            if isinstance(row, WeeklyLink):
                weekly_link_save(link=row, organisation=form.instance.organisation)
            else:
                weekly_section_save(section=row)
        formset.save_m2m()

    @admin.action(description=_("Schedule for the next publication day"))
    def schedule_for_friday(self, request, queryset):
        issues = list(queryset.exclude(status=WeeklyIssue.Status.PUBLISHED))
        for issue in issues:
            weekly_issue_schedule(issue=issue)
        self.message_user(
            request,
            ngettext("%(count)d issue scheduled.", "%(count)d issues scheduled.", len(issues))
            % {"count": len(issues)},
        )

    @admin.action(description=_("Publish now (and send by email)"))
    def publish_now(self, request, queryset):
        issues = list(queryset.exclude(status=WeeklyIssue.Status.PUBLISHED))
        for issue in issues:
            weekly_issue_publish(issue=issue)
        self.message_user(
            request,
            ngettext("%(count)d issue published.", "%(count)d issues published.", len(issues))
            % {"count": len(issues)},
        )


class WeeklyLinkForm(forms.ModelForm):
    class Meta:
        model = WeeklyLink
        fields = [
            "organisation",
            "url",
            "title",
            "source",
            "kind",
            "language",
            "note",
            "topic",
            "issue",
            "section",
            "position",
        ]
        help_texts = {
            "title": _("Leave empty to fill in the title (and outlet and note) from the page.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        if url and not cleaned.get("title"):
            try:
                found = link_metadata_prefill(url, raise_errors=True)
            except (FetchRefused, FetchFailed) as exc:
                self.add_error(
                    "title",
                    _("The page's title could not be fetched (%(reason)s); please type it.")
                    % {"reason": exc},
                )
                return cleaned
            cleaned["title"] = found["title"]
            self.instance.title = found["title"]
            for field in ("source", "note"):
                if not cleaned.get(field) and found.get(field):
                    cleaned[field] = found[field][:300]
                    setattr(self.instance, field, cleaned[field])
            if not cleaned["title"]:
                self.add_error("title", _("The page has no title; please type one."))
        section = cleaned.get("section")
        if section is not None:
            cleaned["issue"] = section.issue
            self.instance.issue = section.issue
        return cleaned


@admin.register(WeeklyLink)
class WeeklyLinkAdmin(ServiceWritesAdminMixin, OrganisationScopedAdmin):
    form = WeeklyLinkForm
    list_display = ["title", "source", "kind", "language", "topic", "issue", "created_at"]
    list_filter = ["kind", "language", "topic", ("issue", admin.EmptyFieldListFilter)]
    search_fields = ["title", "source", "url"]

    def save_service(self, obj, form):
        weekly_link_save(link=obj)

    def delete_service(self, obj):
        weekly_link_delete(link=obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only issues of an organisation this staff member edits for.
        if db_field.name in ("issue", "section"):
            issues = WeeklyIssue.objects.all()
            if not user_is_coordinator(request.user):
                issues = issues.filter(
                    organisation__in=organisation_ids_for_user(request.user, can_edit=True)
                )
            kwargs["queryset"] = (
                issues
                if db_field.name == "issue"
                else WeeklySection.objects.filter(issue__in=issues)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Press coverage ------------------------------------------------------------------


@admin.register(PressCoverage)
class PressCoverageAdmin(ServiceWritesAdminMixin, OrganisationScopedAdmin):
    list_display = ["date", "outlet", "medium", "country", "headline", "action", "public"]
    list_filter = ["medium", "language", "public"]
    search_fields = ["outlet", "headline", "campaign"]
    date_hierarchy = "date"

    def save_service(self, obj, form):
        press_coverage_save(coverage=obj)

    def delete_service(self, obj):
        press_coverage_delete(coverage=obj)
