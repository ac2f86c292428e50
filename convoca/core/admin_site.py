"""The organiser interface's site: Unfold's, with a rate-limited login."""

from django.contrib.admin.apps import AdminConfig
from unfold.sites import UnfoldAdminSite

from convoca.core.antibot import RateLimited, rate_limit


class ConvocaAdminSite(UnfoldAdminSite):
    def login(self, request, extra_context=None):
        if request.method == "POST":
            try:
                # Per client and per account name, so that neither one address
                # guessing many passwords nor many addresses guessing one
                # account's password get far.
                rate_limit(
                    request,
                    scope="admin-login",
                    email=request.POST.get("username", "")[:150],
                    per_client=(30, 3600),
                    per_email=(10, 3600),
                )
            except RateLimited:
                from convoca.core.views import too_many_requests

                return too_many_requests(request)
        return super().login(request, extra_context)


class ConvocaAdminConfig(AdminConfig):
    default_site = "convoca.core.admin_site.ConvocaAdminSite"
