"""Public pages of the coalition: directory, affiliation, working groups, organiser invitation."""

from itertools import groupby

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from convoca.coalition.forms import AffiliationForm, JoinForm
from convoca.coalition.models import WorkingGroup
from convoca.coalition.selectors import (
    organisation_list_public,
    working_group_conveners_public,
    working_group_get_public,
    working_group_list_public,
    working_group_organisations_public,
)
from convoca.coalition.services import (
    AffiliationData,
    JoinData,
    JoinRefused,
    affiliation_request_create,
    join_request_confirm,
    join_request_confirm_token_read,
    join_request_create,
    join_request_decide,
    join_request_review_token_read,
)
from convoca.core.antibot import RateLimited, pow_passed, rate_limit
from convoca.core.caching import public_page
from convoca.core.images import ImageInvalid
from convoca.core.links import LinkExpired, link_problem
from convoca.core.markdown import markdown_render
from convoca.core.pow import pow_challenge_make
from convoca.core.views import too_many_requests
from convoca.people.services import PersonData


def _antibot(request, *, scope: str, email: str) -> None:
    """The shared defences, as on the signing form: a stricter limit without proof of work."""
    limits = settings.CONVOCA_RATE_LIMITS[
        scope if pow_passed(request, scope=scope) else f"{scope}-without-pow"
    ]
    rate_limit(request, scope=scope, email=email, **limits)


@public_page
@require_safe
def organisation_list(request):
    organisations = sorted(
        organisation_list_public(), key=lambda o: (o.country.name or "~", o.name.casefold())
    )
    by_country = [(c, list(m)) for c, m in groupby(organisations, key=lambda o: o.country)]
    return render(request, "coalition/organisation_list.html", {"by_country": by_country})


@method_decorator(never_cache, name="dispatch")
class AffiliationRequestCreateView(View):
    """The public "join the coalition" form for organisations."""

    template_name = "coalition/affiliationrequest_create.html"

    def render_form(self, request, form, status=200, message=""):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "message": message,
                "pow_challenge": pow_challenge_make(scope="affiliate"),
            },
            status=status,
        )

    def get(self, request):
        return self.render_form(request, AffiliationForm())

    def post(self, request):
        form = AffiliationForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:
            _antibot(request, scope="affiliate", email=data["email"])
        except RateLimited:
            return too_many_requests(request)
        try:
            affiliation_request_create(
                data=AffiliationData(
                    name=data["name"],
                    country=data["country"],
                    city=data["city"],
                    website=data["organisation_website"],
                    description=data["description"],
                    relationship=data["relationship"],
                    message=data["message"],
                    logo=data["logo"],
                    contact=PersonData(
                        email=data["email"],
                        given_name=data["given_name"],
                        family_name=data["family_name"],
                        country=data["country"],
                        language=request.LANGUAGE_CODE,
                    ),
                )
            )
        except ImageInvalid:
            form.add_error("logo", form.fields["logo"].error_messages["invalid_image"])
            return self.render_form(request, form, status=400)
        return redirect("coalition:affiliation-thanks")


@never_cache  # reached right after giving personal data: no cache may keep it
@require_safe
def affiliation_thanks(request):
    return render(request, "coalition/affiliationrequest_thanks.html")


@public_page
@require_safe
def working_group_list(request):
    return render(
        request,
        "coalition/workinggroup_list.html",
        {"groups": sorted(working_group_list_public(), key=lambda group: group.name.casefold())},
    )


@method_decorator(never_cache, name="dispatch")
class WorkingGroupDetailView(View):
    """A working group's public page: purpose, conveners, and the form to join."""

    template_name = "coalition/workinggroup_detail.html"

    def render_page(self, request, group, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "group": group,
                "description": markdown_render(group.description),
                "conveners": working_group_conveners_public(group),
                "organisations": working_group_organisations_public(group),
                "form": form,
                "pow_challenge": pow_challenge_make(scope="join"),
            },
            status=status,
        )

    def get_group(self, slug) -> WorkingGroup:
        group = working_group_get_public(slug=slug)
        if group is None:
            raise Http404
        return group

    def get(self, request, slug):
        group = self.get_group(slug)
        return self.render_page(request, group, JoinForm(group=group))

    def post(self, request, slug):
        group = self.get_group(slug)
        form = JoinForm(request.POST, group=group)
        if not form.is_valid():
            return self.render_page(request, group, form, status=400)
        data = form.cleaned_data
        try:
            _antibot(request, scope="join", email=data["email"])
        except RateLimited:
            return too_many_requests(request)
        try:
            join_request_create(
                group=group,
                data=JoinData(
                    person=PersonData(
                        email=data["email"],
                        given_name=data["given_name"],
                        family_name=data["family_name"],
                        language=request.LANGUAGE_CODE,
                    ),
                    on_behalf_of=data["on_behalf_of"],
                    public_name=data["public_name"],
                    message=data.get("message", ""),
                ),
            )
        except JoinRefused:  # the form requires it; kept for a crafted request
            form.add_error("on_behalf_of", form.fields["on_behalf_of"].error_messages["required"])
            return self.render_page(request, group, form, status=400)
        return redirect(reverse("coalition:join-sent", kwargs={"slug": group.slug}))


@never_cache
@require_safe
def join_sent(request, slug):
    group = working_group_get_public(slug=slug)
    if group is None:
        raise Http404
    return render(request, "coalition/joinrequest_sent.html", {"group": group})


@method_decorator(never_cache, name="dispatch")
class JoinRequestConfirmView(View):
    """The link in the confirmation email. GET shows a button; mail scanners follow links."""

    def _read(self, request, token):
        """The request, or the page that says why the link does not work."""
        try:
            join_request = join_request_confirm_token_read(token)
        except LinkExpired:
            join_request, expired = None, True
        else:
            expired = False
        if join_request is not None:
            return join_request, None
        return None, link_problem(
            request,
            expired=expired,
            resend_url=reverse("coalition:join-confirm-resend"),
            expired_text=_("Confirmation links work for 14 days, and this one is older."),
        )

    def get(self, request, token):
        join_request, problem = self._read(request, token)
        if join_request is None:
            return problem
        return render(
            request,
            "coalition/joinrequest_confirm.html",
            {"join_request": join_request, "group": join_request.group},
        )

    def post(self, request, token):
        join_request, problem = self._read(request, token)
        if join_request is None:
            return problem
        join_request = join_request_confirm(join_request=join_request)
        return render(
            request,
            "coalition/joinrequest_confirm.html",
            {"join_request": join_request, "group": join_request.group, "done": True},
        )


@method_decorator(never_cache, name="dispatch")
class JoinRequestReviewView(View):
    """A convener's emailed link: see the request and accept or decline it."""

    template_name = "coalition/joinrequest_review.html"

    def get(self, request, token):
        found = join_request_review_token_read(token)
        if found is None:
            return render(request, "coalition/link_invalid.html", status=400)
        join_request, _convener = found
        return render(request, self.template_name, {"join_request": join_request})

    def post(self, request, token):
        found = join_request_review_token_read(token)
        if found is None:
            return render(request, "coalition/link_invalid.html", status=400)
        join_request, convener = found
        decision = request.POST.get("decision")
        if decision in ("accept", "decline"):
            join_request_decide(
                join_request=join_request,
                accept=decision == "accept",
                reviewer=convener.public_name or str(convener.person),
            )
            join_request.refresh_from_db()
        return render(request, self.template_name, {"join_request": join_request})


class OrganiserSetPasswordView(auth_views.PasswordResetConfirmView):
    """The invitation link of a new organiser: choose a password (Django's reset token)."""

    template_name = "coalition/organiser_set_password.html"
    success_url = reverse_lazy("coalition:organiser-password-set")


@require_safe
def organiser_password_set(request):
    return render(request, "coalition/organiser_password_set.html")
