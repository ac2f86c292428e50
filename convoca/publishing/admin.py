from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from convoca.coalition.scoping import OrganisationScopedAdmin
from convoca.publishing.models import Article


class ArticleAdminForm(forms.ModelForm):
    translation_of = forms.ModelChoiceField(
        label=_("translation of"),
        queryset=Article.objects.none(),
        required=False,
        help_text=_("The same text in another language; both versions then link to each other."),
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
            "status",
            "published_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Article.objects.order_by("-created_at")
        if self.instance.pk:
            queryset = queryset.exclude(translation_key=self.instance.translation_key)
            self.fields["translation_of"].initial = (
                Article.objects.filter(translation_key=self.instance.translation_key)
                .exclude(pk=self.instance.pk)
                .first()
            )
        self.fields["translation_of"].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        original = cleaned.get("translation_of")
        if original:
            if original.language == cleaned.get("language"):
                self.add_error("translation_of", _("A translation must be in another language."))
            elif (
                Article.objects.filter(
                    translation_key=original.translation_key, language=cleaned.get("language")
                )
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error(
                    "translation_of", _("That text already has a version in this language.")
                )
            else:
                self.instance.translation_key = original.translation_key
        return cleaned


@admin.register(Article)
class ArticleAdmin(OrganisationScopedAdmin):
    form = ArticleAdminForm
    list_display = ["title", "kind", "language", "organisation", "status", "published_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["title", "standfirst"]
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
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
        (_("Publication"), {"fields": ["status", "published_at"]}),
    )
