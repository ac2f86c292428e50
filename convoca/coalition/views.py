from itertools import groupby

from django.shortcuts import render
from django.views.decorators.http import require_safe

from convoca.coalition.selectors import organisation_list_public
from convoca.core.caching import public_page


@public_page
@require_safe
def organisation_list(request):
    organisations = sorted(
        organisation_list_public(), key=lambda o: (o.country.name or "~", o.name.casefold())
    )
    by_country = [(c, list(m)) for c, m in groupby(organisations, key=lambda o: o.country)]
    return render(request, "coalition/organisation_list.html", {"by_country": by_country})
