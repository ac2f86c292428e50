"""The OSDI API's endpoints: parse the request, call a selector or a service, answer HAL+JSON.

Plain Django views (docs/api.md says why not Django REST framework). Every
view goes through ``endpoint``: the key is checked (a revoked key is
refused at once), the key's rate limit counted, methods not offered answer
405, and every error is a small JSON object without a stack trace.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries

from convoca.actions.services import ActionClosed
from convoca.api import osdi, selectors, services
from convoca.api.models import ApiKey
from convoca.core.antibot import rate_window_hit
from convoca.core.crypto import email_index
from convoca.core.text import one_line
from convoca.events.services import RegistrationClosed
from convoca.people.services import PersonData

logger = logging.getLogger(__name__)

PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100
MAX_DEPTH = 8
HAL = "application/hal+json"


class ApiError(Exception):
    def __init__(self, status: int, message: str, **headers):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def _json(data, status: int = 200, **headers) -> HttpResponse:
    response = JsonResponse(
        data, status=status, safe=False, content_type=HAL, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    add_never_cache_headers(response)
    return response


def _error(status: int, message: str, **headers) -> HttpResponse:
    return _json({"error": message}, status=status, **headers)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/api/osdi/v1").rstrip("/")


def _token(request: HttpRequest) -> str:
    token = request.headers.get("OSDI-API-Token", "")
    if not token:
        scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    return token.strip()


def endpoint(**handlers: Callable):
    """A view answering the given methods (``get=``, ``post=``...) for an authenticated key."""
    allowed = ", ".join(sorted(m.upper() for m in handlers))

    @csrf_exempt
    def view(request: HttpRequest, **kwargs):
        try:
            key = selectors.api_key_get_active(_token(request))
            if key is None:
                raise ApiError(401, _("A valid API key is needed (the OSDI-API-Token header)."))
            retry_after = rate_window_hit(
                "api", str(key.pk), limit=settings.CONVOCA_API_RATE_PER_MINUTE, period=60
            )
            if retry_after:
                raise ApiError(
                    429,
                    _("Too many requests for this key; try again later."),
                    Retry_After=str(math.ceil(retry_after)),
                )
            handler = handlers.get(request.method.lower())
            if handler is None:
                raise ApiError(
                    405,
                    _("This address does not take %(method)s.") % {"method": request.method},
                    Allow=allowed,
                )
            services.api_key_touch(key=key)
            return handler(request, key, **kwargs)
        except ApiError as error:
            return _error(error.status, error.message, **error.headers)
        except Exception:
            logger.exception("API request failed")
            return _error(500, _("Something went wrong on our side."))

    return view


# --- Reading requests ----------------------------------------------------------------------


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_json(request: HttpRequest) -> dict:
    """The request's JSON object; 415 for another content type, 400 or 413 for a bad body."""
    if request.content_type not in ("application/json", HAL):
        raise ApiError(415, _("Send JSON (Content-Type: application/json)."))
    limit = settings.CONVOCA_API_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if length > limit or len(request.body) > limit:
            raise ApiError(413, _("The body is larger than %(limit)d bytes.") % {"limit": limit})
    except RequestDataTooBig as exc:
        raise ApiError(
            413, _("The body is larger than %(limit)d bytes.") % {"limit": limit}
        ) from exc
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise ApiError(400, _("The body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    if _depth(data) > MAX_DEPTH:
        raise ApiError(400, _("The JSON is nested too deeply."))
    return data


def _text(obj: dict, name: str, max_length: int, *, multiline: bool = False) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, _("“%(field)s” must be a string.") % {"field": name})
    if len(value) > max_length:
        raise ApiError(
            400,
            _("“%(field)s” is longer than %(max)d characters.")
            % {"field": name, "max": max_length},
        )
    return value.strip() if multiline else one_line(value).strip()


def _flag(obj: dict, name: str) -> bool:
    value = obj.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, _("“%(field)s” must be true or false.") % {"field": name})
    return value


def _objects(obj: dict, name: str) -> list[dict]:
    value = obj.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ApiError(400, _("“%(field)s” must be a list of objects.") % {"field": name})
    return value


def _strings(obj: dict, name: str, max_length: int = 80) -> list[str]:
    value = obj.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, _("“%(field)s” must be a list of strings.") % {"field": name})
    if len(value) > 50 or any(len(v) > max_length for v in value):
        raise ApiError(400, _("“%(field)s” has too many or too long items.") % {"field": name})
    return [one_line(v).strip() for v in value if v.strip()]


def _primary(items: list[dict]) -> dict:
    return next((i for i in items if i.get("primary") is True), items[0] if items else {})


def _person_fields(obj: dict) -> tuple[PersonData, str | None, dict]:
    """PersonData from an OSDI person, the email status given (or None), and custom fields."""
    if not isinstance(obj, dict):
        raise ApiError(400, _("“person” must be an object."))
    email_item = _primary(_objects(obj, "email_addresses"))
    email = _text(email_item, "address", 254)
    if not email:
        raise ApiError(400, _("A person needs an email address (email_addresses[0].address)."))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ApiError(400, _("“%(value)s” is not an email address.") % {"value": email}) from exc
    status = _text(email_item, "status", 40) or None
    phone = _text(_primary(_objects(obj, "phone_numbers")), "number", 40)
    place = _primary(_objects(obj, "postal_addresses"))
    lines = place.get("address_lines") or []
    if not isinstance(lines, list) or not all(isinstance(v, str) for v in lines):
        raise ApiError(400, _("“address_lines” must be a list of strings."))
    street = one_line(", ".join(lines)).strip()
    if len(street) > 250:
        raise ApiError(400, _("“address_lines” is longer than 250 characters."))
    country = _text(place, "country", 2).upper()
    if country and country not in countries:
        raise ApiError(400, _("“country” must be a two-letter country code."))
    languages = _strings(obj, "languages_spoken", 8)
    known = {code for code, _name in settings.LANGUAGES}
    language = next((code[:2] for code in languages if code[:2] in known), "")
    custom = obj.get("custom_fields") or {}
    if not isinstance(custom, dict) or len(custom) > 50:
        raise ApiError(400, _("“custom_fields” must be an object of at most 50 fields."))
    for name, value in custom.items():
        if len(name) > 80 or not (value is None or isinstance(value, str | int | float | bool)):
            raise ApiError(
                400,
                _("Custom field “%(name)s” must hold a short text, a number or true/false.")
                % {"name": name[:80]},
            )
        if isinstance(value, str) and len(value) > 1000:
            raise ApiError(
                400,
                _("Custom field “%(name)s” is longer than 1000 characters.") % {"name": name[:80]},
            )
    data = PersonData(
        email=email,
        given_name=_text(obj, "given_name", 100),
        family_name=_text(obj, "family_name", 100),
        phone=phone,
        street_address=street,
        postal_code=_text(place, "postal_code", 20),
        city=_text(place, "locality", 120),
        country=country,
        language=language,
    )
    return data, status, custom


# --- Collections ---------------------------------------------------------------------------

_FILTER = re.compile(
    r"^\s*(?P<field>modified_date|created_date|email_address)\s+(?P<op>gt|lt|eq|ge|le)\s+"
    r"'(?P<value>[^']*)'\s*$"
)


def _parse_date(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ApiError(400, _("“%(value)s” is not a date (ISO 8601).") % {"value": value}) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filtered(request, queryset, *, modified: str, created: str, people_email: str | None = None):
    """Apply OData ``filter=modified_date gt '2024-01-01T00:00:00Z'`` (and/or several)."""
    text = request.GET.get("filter", "").strip()
    if not text:
        return queryset
    for clause in re.split(r"\s+and\s+", text):
        match = _FILTER.match(clause)
        if not match:
            raise ApiError(
                400,
                _(
                    "Filters supported: modified_date or created_date with gt, lt, ge, le, eq; "
                    "email_address eq on people."
                ),
            )
        field, op, value = match["field"], match["op"], match["value"]
        if field == "email_address":
            if people_email is None or op != "eq":
                raise ApiError(400, _("email_address can only be compared with eq, on people."))
            queryset = queryset.filter(**{people_email: email_index(value)})
            continue
        lookup = {"gt": "gt", "lt": "lt", "ge": "gte", "le": "lte", "eq": "exact"}[op]
        column = modified if field == "modified_date" else created
        queryset = queryset.filter(**{f"{column}__{lookup}": _parse_date(value)})
    return queryset


def _positive(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ApiError(400, _("“%(field)s” must be a whole number from 1.") % {"field": name})
    return int(value)


def collection(
    request,
    key: ApiKey,
    *,
    queryset,
    name: str,
    render: Callable[[list], list[dict]],
    modified: str = "updated_at",
    created: str = "created_at",
    audit: str = "",
    people_email: str | None = None,
) -> HttpResponse:
    """One page of a collection: ``page``, ``per_page``, ``_links.next``, ``_embedded``."""
    per_page = min(_positive(request, "per_page", PER_PAGE_DEFAULT), PER_PAGE_MAX)
    page = _positive(request, "page", 1)
    queryset = _filtered(
        request, queryset, modified=modified, created=created, people_email=people_email
    )
    total = queryset.count()
    total_pages = max(1, math.ceil(total / per_page)) if total else 0
    start = (page - 1) * per_page
    rows = list(queryset.order_by(created, "pk")[start : start + per_page]) if start < total else []
    items = render(rows)
    if audit and items:
        services.api_audit_record(
            key=key, verb=f"{audit}.list", target=request.path, count=len(items)
        )
    here = request.build_absolute_uri(request.path)

    def page_link(number: int) -> dict:
        query = request.GET.copy()
        query["page"] = str(number)
        query["per_page"] = str(per_page)
        return {"href": f"{here}?{query.urlencode()}"}

    links = {"self": page_link(page), "curies": osdi.CURIES}
    if page < total_pages:
        links["next"] = page_link(page + 1)
    if page > 1:
        links["previous"] = page_link(page - 1)
    links[f"osdi:{name}"] = [item["_links"]["self"] for item in items]
    return _json(
        {
            "total_pages": total_pages,
            "per_page": per_page,
            "page": page,
            "total_records": total,
            "_links": links,
            "_embedded": {f"osdi:{name}": items},
        }
    )


def _one(queryset, **lookup):
    """The row, if in the key's scope; else 404 (another organisation's looks the same as none)."""
    try:
        row = queryset.filter(**lookup).first()
    except (ValueError, ValidationError):
        row = None
    if row is None:
        raise ApiError(404, _("Not found."))
    return row


def _item(request, key, row, data: dict, *, audit: str = "", status: int = 200) -> HttpResponse:
    if audit:
        services.api_audit_record(key=key, verb=audit, target=request.path, count=1)
    return _json(data, status=status)


# --- Entry point ---------------------------------------------------------------------------


def aep_get(request, key):
    base = base_url(request)
    names = [
        "people", "tags", "lists", "petitions", "events", "fundraising_pages", "donations",
        "messages",
    ]  # fmt: skip
    links = {f"osdi:{n}": {"href": f"{base}/{n}", "title": n} for n in names}
    links["osdi:person_signup_helper"] = {"href": f"{base}/people"}
    links["self"] = {"href": f"{base}/"}
    links["curies"] = osdi.CURIES
    return _json(
        {
            "motd": "Convoca OSDI API",
            "vendor_name": "Convoca",
            "product_name": "Convoca",
            "osdi_version": "1.1",
            "max_pagesize": PER_PAGE_MAX,
            "namespace": "convoca",
            "_links": links,
        }
    )


# --- People --------------------------------------------------------------------------------


def _render_people(request, key):
    base = base_url(request)

    def render(rows):
        statuses = selectors.email_statuses(key=key, people=rows)
        fields = selectors.custom_fields_for(key=key, people=rows)
        return [
            osdi.person(p, base, status=statuses.get(p.pk, ""), custom_fields=fields.get(p.pk))
            for p in rows
        ]

    return render


def people_get(request, key):
    return collection(
        request,
        key,
        queryset=selectors.person_list_for_key(key),
        name="people",
        render=_render_people(request, key),
        audit="people",
        people_email="email_index",
    )


def _signup_data(body: dict, key: ApiKey) -> services.SignupData:
    # Action Network's helper wraps the person in "person"; a plain OSDI POST does not.
    person_obj = body.get("person", body)
    person, status, custom = _person_fields(person_obj)
    subscribed = {"subscribed": True, "unsubscribed": False}.get(status or "subscribed")
    return services.SignupData(
        person=person,
        subscribed=subscribed,
        confirmed=_flag(body, "confirmed_elsewhere"),
        wording=_text(body, "consent_wording", 1000, multiline=True),
        add_tags=_strings(body, "add_tags"),
        remove_tags=_strings(body, "remove_tags"),
        custom_fields=custom,
    )


def people_post(request, key):
    """Sign a person up (``person_signup_helper``): created, or merged with who has that email."""
    person = services.person_signup(key=key, data=_signup_data(read_json(request), key))
    return _person_answer(request, key, person, status=200)


def _person_answer(request, key, person, *, status: int = 200):
    visible = selectors.person_list_for_key(key).filter(pk=person.pk).exists()
    if not visible:
        # Unsubscribed and never took part: the organisation may not see them.
        return _json({"identifiers": [f"convoca:{person.pk}"]}, status=status)
    data = _render_people(request, key)([person])[0]
    return _item(request, key, person, data, audit="people.write", status=status)


def person_get(request, key, pk):
    person = _one(selectors.person_list_for_key(key), pk=pk)
    return _item(
        request, key, person, _render_people(request, key)([person])[0], audit="people.get"
    )


def person_put(request, key, pk):
    """Update a person: blanks filled, stored values kept once confirmed (the forms' rules)."""
    person = _one(selectors.person_list_for_key(key), pk=pk)
    body = read_json(request)
    body.setdefault("email_addresses", [{"address": person.email}])
    data = _signup_data({"person": body}, key)
    # A PUT never changes whose record this is, nor subscribes anyone: the email is the record's.
    data = services.SignupData(
        person=PersonData(**{**vars(data.person), "email": person.email}),
        subscribed={"subscribed": True, "unsubscribed": False}.get(
            _primary(_objects(body, "email_addresses")).get("status") or ""
        ),
        wording=_text(body, "consent_wording", 1000, multiline=True),
        add_tags=_strings(body, "add_tags"),
        remove_tags=_strings(body, "remove_tags"),
        custom_fields=data.custom_fields,
    )
    person = services.person_signup(key=key, data=data)
    return _person_answer(request, key, person)


def person_taggings_get(request, key, pk):
    person = _one(selectors.person_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.tagging_list_for_key(key).filter(person=person),
        name="taggings",
        render=lambda rows: [osdi.tagging(r, base) for r in rows],
        modified="added_at",
        created="added_at",
        audit="taggings",
    )


def person_signatures_get(request, key, pk):
    person = _one(selectors.person_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.signature_list_for_key(key).filter(person=person),
        name="signatures",
        render=lambda rows: [osdi.signature(r, base) for r in rows],
        audit="signatures",
    )


def person_attendances_get(request, key, pk):
    person = _one(selectors.person_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.attendance_list_for_key(key).filter(person=person),
        name="attendances",
        render=lambda rows: [osdi.attendance(r, base) for r in rows],
        audit="attendances",
    )


def person_donations_get(request, key, pk):
    person = _one(selectors.person_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.donation_list_for_key(key).filter(donor__person=person),
        name="donations",
        render=lambda rows: [osdi.donation(r, base) for r in rows],
        audit="donations",
    )


# --- Tags ----------------------------------------------------------------------------------


def tags_get(request, key):
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.tag_list_for_key(key),
        name="tags",
        render=lambda rows: [osdi.tag(r, base) for r in rows],
    )


def tags_post(request, key):
    body = read_json(request)
    name = _text(body, "name", 80)
    if not name:
        raise ApiError(400, _("A tag needs a name."))
    tag = services.tag_create(key=key, name=name)
    return _json(osdi.tag(tag, base_url(request)), status=200)


def tag_get(request, key, pk):
    return _json(osdi.tag(_one(selectors.tag_list_for_key(key), pk=pk), base_url(request)))


def taggings_get(request, key, pk):
    tag = _one(selectors.tag_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.tagging_list_for_key(key).filter(tag=tag),
        name="taggings",
        render=lambda rows: [osdi.tagging(r, base) for r in rows],
        modified="added_at",
        created="added_at",
        audit="taggings",
    )


_PERSON_HREF = re.compile(r"/people/(?P<pk>[0-9a-fA-F-]{32,36})/?$")


def taggings_post(request, key, pk):
    """Tag a person, named by ``_links["osdi:person"].href`` (or by ``person`` with an email)."""
    tag = _one(selectors.tag_list_for_key(key), pk=pk)
    body = read_json(request)
    links = body.get("_links") or {}
    href = links.get("osdi:person", {}).get("href", "") if isinstance(links, dict) else ""
    people = selectors.person_list_for_key(key)
    if isinstance(href, str) and (match := _PERSON_HREF.search(href)):
        person = _one(people, pk=match["pk"])
    elif isinstance(body.get("person"), dict):
        data, _status, _custom = _person_fields(body["person"])
        person = _one(people, email_index=email_index(data.email))
    else:
        raise ApiError(400, _("Name the person: _links[“osdi:person”].href."))
    tagging = services.tagging_add(tag=tag, person=person)
    return _item(
        request, key, tagging, osdi.tagging(tagging, base_url(request)), audit="taggings.write"
    )


def tagging_get(request, key, pk, tagging_pk):
    row = _one(selectors.tagging_list_for_key(key), tag_id=pk, pk=tagging_pk)
    return _item(request, key, row, osdi.tagging(row, base_url(request)), audit="taggings.get")


def tagging_delete(request, key, pk, tagging_pk):
    row = _one(selectors.tagging_list_for_key(key), tag_id=pk, pk=tagging_pk)
    from convoca.people.services import person_untag

    person_untag(person_tag=row)
    services.api_audit_record(key=key, verb="taggings.delete", target=request.path, count=1)
    return _json({"notice": _("The tagging was deleted.")})


# --- Lists ---------------------------------------------------------------------------------


def lists_get(request, key):
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.mailing_list_for_key(key),
        name="lists",
        render=lambda rows: [osdi.mailing_list(r, base) for r in rows],
    )


def list_get(request, key, pk):
    return _json(
        osdi.mailing_list(_one(selectors.mailing_list_for_key(key), pk=pk), base_url(request))
    )


def list_items_get(request, key, pk):
    mailing_list = _one(selectors.mailing_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.list_item_list_for_key(key).filter(mailing_list=mailing_list),
        name="items",
        render=lambda rows: [osdi.list_item(r, base) for r in rows],
        audit="list_items",
    )


def list_item_get(request, key, pk, item_pk):
    row = _one(selectors.list_item_list_for_key(key), mailing_list_id=pk, pk=item_pk)
    return _item(request, key, row, osdi.list_item(row, base_url(request)), audit="list_items.get")


# --- Petitions and signatures --------------------------------------------------------------


def _tallies(actions) -> dict:
    from convoca.actions.models import Tally

    keys = {a.translation_key for a in actions}
    return dict(Tally.objects.filter(pk__in=keys).values_list("pk", "count"))


def petitions_get(request, key):
    base = base_url(request)

    def render(rows):
        counts = _tallies(rows)
        return [osdi.petition(r, base, count=counts.get(r.translation_key, 0)) for r in rows]

    return collection(
        request, key, queryset=selectors.petition_list_for_key(key), name="petitions", render=render
    )


def petition_get(request, key, pk):
    action = _one(selectors.petition_list_for_key(key), pk=pk)
    count = _tallies([action]).get(action.translation_key, 0)
    return _json(osdi.petition(action, base_url(request), count=count))


def signatures_get(request, key, pk):
    action = _one(selectors.petition_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.signature_list_for_key(key).filter(
            translation_key=action.translation_key
        ),
        name="signatures",
        render=lambda rows: [osdi.signature(r, base) for r in rows],
        audit="signatures",
    )


def signatures_post(request, key, pk):
    """``record_signature_helper``: the person and their signature, through the signing service."""
    action = _one(selectors.petition_list_for_key(key), pk=pk)
    body = read_json(request)
    person, status, custom = _person_fields(body.get("person"))
    try:
        result = services.signature_record(
            key=key,
            action=action,
            person=person,
            comment=_text(body, "comments", 2000, multiline=True),
            subscribed=status == "subscribed",
            confirmed=_flag(body, "confirmed_elsewhere"),
            wording=_text(body, "consent_wording", 1000, multiline=True),
        )
    except ActionClosed as exc:
        raise ApiError(400, _("This petition does not take signatures now.")) from exc
    tags = _strings(body, "add_tags")
    for name in tags:
        services.person_tag(
            person=result.signature.person, name=name, organisation=key.organisation
        )
    if custom:
        services.custom_fields_set(
            person=result.signature.person, organisation=key.organisation, values=custom
        )
    base = base_url(request)
    data = osdi.signature(result.signature, base)
    return _item(request, key, result.signature, data, audit="signatures.write", status=200)


def signature_get(request, key, pk, signature_pk):
    action = _one(selectors.petition_list_for_key(key), pk=pk)
    row = _one(
        selectors.signature_list_for_key(key),
        translation_key=action.translation_key,
        pk=signature_pk,
    )
    return _item(request, key, row, osdi.signature(row, base_url(request)), audit="signatures.get")


# --- Events and attendances ----------------------------------------------------------------


def events_get(request, key):
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.event_list_for_key(key),
        name="events",
        render=lambda rows: [osdi.event(r, base) for r in rows],
    )


def event_get(request, key, pk):
    return _json(osdi.event(_one(selectors.event_list_for_key(key), pk=pk), base_url(request)))


def attendances_get(request, key, pk):
    event = _one(selectors.event_list_for_key(key), pk=pk)
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.attendance_list_for_key(key).filter(
            translation_key=event.translation_key
        ),
        name="attendances",
        render=lambda rows: [osdi.attendance(r, base) for r in rows],
        audit="attendances",
    )


def attendances_post(request, key, pk):
    """``record_attendance_helper``: register the person through the registration service."""
    event = _one(selectors.event_list_for_key(key), pk=pk)
    body = read_json(request)
    person, status, custom = _person_fields(body.get("person"))
    try:
        result = services.attendance_record(
            key=key,
            event=event,
            person=person,
            subscribed=status == "subscribed",
            confirmed=_flag(body, "confirmed_elsewhere"),
            wording=_text(body, "consent_wording", 1000, multiline=True),
        )
    except RegistrationClosed as exc:
        raise ApiError(400, _("This event does not take registrations now.")) from exc
    for name in _strings(body, "add_tags"):
        services.person_tag(
            person=result.registration.person, name=name, organisation=key.organisation
        )
    if custom:
        services.custom_fields_set(
            person=result.registration.person, organisation=key.organisation, values=custom
        )
    data = osdi.attendance(result.registration, base_url(request))
    return _item(request, key, result.registration, data, audit="attendances.write")


def attendance_get(request, key, pk, attendance_pk):
    event = _one(selectors.event_list_for_key(key), pk=pk)
    row = _one(
        selectors.attendance_list_for_key(key),
        translation_key=event.translation_key,
        pk=attendance_pk,
    )
    return _item(
        request, key, row, osdi.attendance(row, base_url(request)), audit="attendances.get"
    )


# --- Fundraising pages and donations (read only) -------------------------------------------


def fundraising_pages_get(request, key):
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.fundraiser_list_for_key(key),
        name="fundraising_pages",
        render=lambda rows: [osdi.fundraising_page(r, base) for r in rows],
    )


def fundraising_page_get(request, key, pk):
    row = _one(selectors.fundraiser_list_for_key(key), pk=pk)
    return _json(osdi.fundraising_page(row, base_url(request)))


def donations_get(request, key, pk=None):
    queryset = selectors.donation_list_for_key(key)
    if pk is not None:
        queryset = queryset.filter(fundraiser=_one(selectors.fundraiser_list_for_key(key), pk=pk))
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=queryset,
        name="donations",
        render=lambda rows: [osdi.donation(r, base) for r in rows],
        audit="donations",
    )


def donation_get(request, key, pk, donation_pk):
    row = _one(selectors.donation_list_for_key(key), fundraiser_id=pk, pk=donation_pk)
    return _item(request, key, row, osdi.donation(row, base_url(request)), audit="donations.get")


# --- Messages (read only) ------------------------------------------------------------------


def messages_get(request, key):
    base = base_url(request)
    return collection(
        request,
        key,
        queryset=selectors.message_list_for_key(key),
        name="messages",
        render=lambda rows: [osdi.message(r, base) for r in rows],
    )


def message_get(request, key, pk):
    return _json(osdi.message(_one(selectors.message_list_for_key(key), pk=pk), base_url(request)))


def not_found(request, rest=""):
    return _error(404, _("Not found."))
