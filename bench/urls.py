"""Convoca's URLs plus the baseline every benchmark figure is divided by."""

from django.http import HttpResponse
from django.urls import path

from convoca import urls as convoca_urls


def fixed_view(request):
    """Answer a fixed body: the cost of the server and the middleware, and nothing else."""
    return HttpResponse(b"ok")


urlpatterns = [path("bench/fixed/", fixed_view), *convoca_urls.urlpatterns]

handler400 = convoca_urls.handler400
handler403 = convoca_urls.handler403
handler404 = convoca_urls.handler404
handler500 = convoca_urls.handler500
