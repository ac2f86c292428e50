from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from convoca import pages
from convoca.core import views as core_views
from convoca.mailings.webhooks import webhook_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", core_views.health, name="health"),
    path("pow/challenge/", core_views.pow_challenge, name="pow-challenge"),
    path("anymail/", include(webhook_urls())),
    path("sitemap.xml", pages.sitemap, name="sitemap"),
    path("robots.txt", pages.robots_txt, name="robots-txt"),
    path("donations/webhooks/", include("convoca.donations.webhook_urls")),
    path("api/osdi/v1/", include("convoca.api.urls")),
]

urlpatterns += i18n_patterns(
    # Actions first: their signing address is the busiest, and is found sooner.
    path("", include("convoca.actions.urls")),
    path("", include("convoca.letters.urls")),
    path("", pages.home, name="home"),
    path("", include("convoca.people.urls")),
    path("", include("convoca.coalition.urls")),
    path("", include("convoca.publishing.urls")),
    path("", include("convoca.mailings.urls")),
    path("", include("convoca.events.urls")),
    path("", include("convoca.donations.urls")),
    path("", include("convoca.inbox.urls")),
    prefix_default_language=True,
)

if settings.CONVOCA_SERVE_MEDIA:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "convoca.core.views.bad_request"
handler403 = "convoca.core.views.permission_denied"
handler404 = "convoca.core.views.page_not_found"
handler500 = "convoca.core.views.server_error"
