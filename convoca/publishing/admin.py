from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from convoca.coalition.scoping import OrganisationScopedAdmin, TranslationOfForm
from convoca.publishing.models import Article


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
            "status",
            "published_at",
        ]


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
