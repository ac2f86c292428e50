from django.urls import path
from django.utils.translation import gettext_lazy as _

from convoca.core.caching import public_page
from convoca.publishing import feeds, views

app_name = "publishing"

urlpatterns = [
    path(_("articles/"), views.article_list, name="article-list"),
    path(_("articles/feed/"), public_page(feeds.ArticleFeed()), name="article-feed"),
    path(_("articles/<int:year>/<int:month>/"), views.article_archive_month, name="article-month"),
    path(_("articles/<slug:slug>/"), views.article_detail, name="article-detail"),
    path(_("topics/<slug:slug>/"), views.topic_detail, name="topic-detail"),
    path(_("topics/<slug:slug>/feed/"), public_page(feeds.TopicFeed()), name="topic-feed"),
    path(_("search/"), views.article_search_view, name="article-search"),
    path(_("weekly/"), views.weekly_list, name="weekly-list"),
    path(_("weekly/feed/"), public_page(feeds.WeeklyFeed()), name="weekly-feed"),
    path(_("weekly/<int:number>/"), views.weekly_detail, name="weekly-detail"),
    path(_("in-the-media/"), views.press_list, name="press-list"),
]
