"""A supporter's own data: ask for a link by email, then see, download or erase it."""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from convoca.core.antibot import RateLimited, rate_limit
from convoca.core.links import LinkExpired
from convoca.core.views import too_many_requests
from convoca.people.forms import DataAccessRequestForm, DataEraseForm
from convoca.people.models import Activity, Person
from convoca.people.services import (
    activity_record,
    data_access_link_request,
    data_access_token_read,
    person_erase,
    person_export,
)

SESSION_KEY = "people.data_access"
SESSION_MAX_AGE = 30 * 60


def _session_person(request) -> Person | None:
    grant = request.session.get(SESSION_KEY)
    if not grant or grant["until"] < timezone.now().timestamp():
        return None
    return Person.objects.filter(pk=grant["person"], erased_at__isnull=True).first()


@method_decorator(never_cache, name="dispatch")
class DataAccessRequestView(View):
    template_name = "people/data_request.html"

    def get(self, request):
        return render(request, self.template_name, {"form": DataAccessRequestForm()})

    def post(self, request):
        form = DataAccessRequestForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        email = form.cleaned_data["email"]
        try:
            rate_limit(
                request,
                scope="data-request",
                email=email,
                per_client=(10, 3600),
                per_email=(3, 3600),
            )
        except RateLimited:
            return too_many_requests(request)
        data_access_link_request(email=email, language=request.LANGUAGE_CODE)
        return render(request, "people/data_request_sent.html")


@method_decorator(never_cache, name="dispatch")
class DataAccessView(View):
    """The emailed link. GET only shows a button: mail scanners follow links."""

    def _read(self, request, token):
        """The person, or the page that says why the link does not work."""
        try:
            person = data_access_token_read(token)
        except LinkExpired:
            person, expired = None, True
        else:
            expired = False
        if person is not None:
            return person, None
        return None, render(
            request,
            "people/data_link_invalid.html",
            {"expired": expired},
            status=410 if expired else 400,
        )

    def get(self, request, token):
        person, problem = self._read(request, token)
        if person is None:
            return problem
        return render(request, "people/data_access.html")

    def post(self, request, token):
        person, problem = self._read(request, token)
        if person is None:
            return problem
        request.session.cycle_key()
        request.session[SESSION_KEY] = {
            "person": str(person.pk),
            "until": timezone.now().timestamp() + SESSION_MAX_AGE,
        }
        activity_record(person=person, kind=Activity.Kind.DATA_VIEWED)
        return redirect("people:person-data")


@method_decorator(never_cache, name="dispatch")
class PersonDataView(View):
    def get(self, request):
        person = _session_person(request)
        if person is None:
            return redirect("people:data-request")
        return render(
            request,
            "people/person_data.html",
            {
                "person": person,
                "consents": person.consents.select_related("organisation"),
                "activities": person.activities.select_related("organisation")[:200],
            },
        )


@method_decorator(never_cache, name="dispatch")
class PersonDataDownloadView(View):
    def get(self, request):
        person = _session_person(request)
        if person is None:
            return redirect("people:data-request")
        response = HttpResponse(
            json.dumps(person_export(person=person), indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response


@method_decorator(never_cache, name="dispatch")
class PersonEraseView(View):
    template_name = "people/person_erase.html"

    def get(self, request):
        if _session_person(request) is None:
            return redirect("people:data-request")
        return render(request, self.template_name, {"form": DataEraseForm()})

    def post(self, request):
        person = _session_person(request)
        if person is None:
            return redirect("people:data-request")
        form = DataEraseForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        person_erase(person=person)
        request.session.flush()
        return render(request, "people/person_erased.html")
