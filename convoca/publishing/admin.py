from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline

from convoca.coalition.scoping import (
    CoordinatorOnlyAdmin,
    OrganisationScopedAdmin,
    TranslationOfForm,
)
from convoca.publishing.fetch import FetchFailed, FetchRefused
from convoca.publishing.images import ImageInvalid
from convoca.publishing.models import (
    Article,
    Image,
    PressCoverage,
    Topic,
    WeeklyIssue,
    WeeklyLink,
    WeeklySection,
)
from convoca.publishing.services import (
    image_store,
    link_metadata_prefill,
    pages_changed,
    weekly_issue_publish,
    weekly_issue_schedule,
)


class LabelsForm(forms.ModelForm):
    """Edits ``{language: text}`` JSON fields as one text box per language.

    ``labels`` maps a JSON field to its widget; the first language's box is required
    when the field is in ``required_labels``.
    """

    labels: dict = {}
    required_labels: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, widget in self.labels.items():
            values = getattr(self.instance, field) or {}
            model_field = self._meta.model._meta.get_field(field)
            for position, (code, name) in enumerate(settings.LANGUAGES):
                self.fields[f"{field}_{code}"] = forms.CharField(
                    label=f"{model_field.verbose_name} ({name})",
                    required=field in self.required_labels and position == 0,
                    widget=widget,
                    initial=values.get(code, ""),
                )

    def clean(self):
        cleaned = super().clean()
        for field in self.labels:
            setattr(
                self.instance,
                field,
                {
                    code: cleaned.get(f"{field}_{code}", "").strip()
                    for code, _name in settings.LANGUAGES
                    if cleaned.get(f"{field}_{code}", "").strip()
                },
            )
        return cleaned


class PublicPagesAdminMixin:
    """Cached public pages are forgotten when an organiser saves or deletes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pages_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        pages_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        pages_changed()


# --- Topics and images ---------------------------------------------------------------


class TopicForm(LabelsForm):
    labels = {"name": forms.TextInput, "description": forms.Textarea(attrs={"rows": 3})}
    required_labels = ("name",)

    class Meta:
        model = Topic
        fields = ["slug"]


@admin.register(Topic)
class TopicAdmin(PublicPagesAdminMixin, CoordinatorOnlyAdmin):
    form = TopicForm
    list_display = ["__str__", "slug"]
    search_fields = ["slug", "name"]


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

    def clean(self):
        cleaned = super().clean()
        if not self.instance.widths and not cleaned.get("upload"):
            self.add_error("upload", _("Choose a photo to upload."))
        return cleaned


@admin.register(Image)
class ImageAdmin(PublicPagesAdminMixin, OrganisationScopedAdmin):
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

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload")
        if upload:
            try:
                image_store(image=obj, upload=upload)
            except ImageInvalid:
                obj.save()
                messages.error(request, gettext("That file is not a photo we can read."))
        else:
            obj.save()
        pages_changed()


# --- Articles ------------------------------------------------------------------------


class ArticleAdminForm(TranslationOfForm):
    translation_help = _(
        "The same text in another language; both versions then link to each other."
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "language",
            "title",
            "slug",
            "standfirst",
            "body",
            "organisation",
            "byline",
            "dateline",
            "topics",
            "image",
            "image_alt",
            "related_actions",
            "status",
            "published_at",
        ]


@admin.register(Article)
class ArticleAdmin(PublicPagesAdminMixin, OrganisationScopedAdmin):
    form = ArticleAdminForm
    list_display = ["title", "kind", "language", "organisation", "status", "published_at"]
    list_filter = ["status", "kind", "language", "topics"]
    search_fields = ["title", "standfirst"]
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    filter_horizontal = ["topics", "related_actions"]
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
        (_("Topics and image"), {"fields": ["topics", "image", "image_alt", "related_actions"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at"],
                "description": _(
                    "A published text becomes public at its publication time: "
                    "set a time in the future to schedule it."
                ),
            },
        ),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related_actions":
            from convoca.actions.models import Action

            kwargs["queryset"] = Action.objects.exclude(status=Action.Status.DRAFT)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- The Weekly ----------------------------------------------------------------------


class WeeklySectionForm(LabelsForm):
    labels = {"title": forms.TextInput}
    required_labels = ("title",)

    class Meta:
        model = WeeklySection
        fields = ["position"]


class WeeklySectionInline(TabularInline):
    model = WeeklySection
    form = WeeklySectionForm
    extra = 1


class WeeklyLinkInline(TabularInline):
    model = WeeklyLink
    fk_name = "issue"
    fields = ["section", "position", "title", "source", "kind", "language", "note", "topic"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            issue_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = WeeklySection.objects.filter(issue_id=issue_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WeeklyIssueForm(LabelsForm):
    labels = {"intro": forms.Textarea(attrs={"rows": 4})}

    class Meta:
        model = WeeklyIssue
        fields = ["organisation", "number", "date", "status", "publish_at"]


@admin.register(WeeklyIssue)
class WeeklyIssueAdmin(PublicPagesAdminMixin, OrganisationScopedAdmin):
    form = WeeklyIssueForm
    list_display = ["number", "date", "status", "publish_at", "published_at"]
    list_filter = ["status"]
    inlines = [WeeklySectionInline, WeeklyLinkInline]
    readonly_fields = ["published_at", "mailing_handed_over_at"]
    actions = ["schedule_for_friday", "publish_now"]

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
class WeeklyLinkAdmin(PublicPagesAdminMixin, OrganisationScopedAdmin):
    form = WeeklyLinkForm
    list_display = ["title", "source", "kind", "language", "topic", "issue", "created_at"]
    list_filter = ["kind", "language", "topic", ("issue", admin.EmptyFieldListFilter)]
    search_fields = ["title", "source", "url"]


# --- Press coverage ------------------------------------------------------------------


@admin.register(PressCoverage)
class PressCoverageAdmin(PublicPagesAdminMixin, OrganisationScopedAdmin):
    list_display = ["date", "outlet", "medium", "country", "headline", "action", "public"]
    list_filter = ["medium", "language", "public"]
    search_fields = ["outlet", "headline", "campaign"]
    date_hierarchy = "date"
