"""Convoca's URLs plus the baselines every benchmark figure is divided by."""

from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from convoca import urls as convoca_urls

#: The table of the one-INSERT baseline, made by bench/prepare.py (never by a migration).
INSERT_TABLE = "bench_insert"


def fixed_view(request):
    """Answer a fixed body: the cost of the server and the middleware, and nothing else."""
    return HttpResponse(b"ok")


@csrf_exempt  # as the signing view, which anonymous visitors and partner sites post to
@require_POST
def insert_view(request):
    """Store the posted email with exactly one INSERT: the floor of any view that writes.

    Same server, middleware and database connection settings as the signing view; no
    form, no transaction block (the INSERT commits on its own), no template.
    """
    email = request.POST.get("email", "")
    if not email:
        return HttpResponseBadRequest(b"email")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (email, created) VALUES (%s, %s)",
            [email, timezone.now()],
        )
    return HttpResponse(b"ok")


urlpatterns = [
    path("bench/fixed/", fixed_view),
    path("bench/insert/", insert_view),
    *convoca_urls.urlpatterns,
]

handler400 = convoca_urls.handler400
handler403 = convoca_urls.handler403
handler404 = convoca_urls.handler404
handler500 = convoca_urls.handler500
