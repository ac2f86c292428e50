"""The OSDI API's addresses, under /api/osdi/v1/.

As Action Network writes them: no trailing slash (clients take an id as
the last part of a link), though one is accepted.
"""

from django.urls import path, re_path

from convoca.api import views as v

app_name = "api"

UUID = r"[0-9a-fA-F-]{32,36}"
INT = r"[0-9]{1,18}"


def r(pattern: str) -> str:
    return rf"^{pattern}/?$"


urlpatterns = [
    path("", v.endpoint(get=v.aep_get), name="aep"),
    re_path(r("people"), v.endpoint(get=v.people_get, post=v.people_post), name="people"),
    re_path(r("person_signup_helper"), v.endpoint(post=v.people_post), name="person-signup"),
    re_path(
        r(f"people/(?P<pk>{UUID})"),
        v.endpoint(get=v.person_get, put=v.person_put),
        name="person",
    ),
    re_path(
        r(f"people/(?P<pk>{UUID})/taggings"),
        v.endpoint(get=v.person_taggings_get),
        name="person-taggings",
    ),
    re_path(
        r(f"people/(?P<pk>{UUID})/signatures"),
        v.endpoint(get=v.person_signatures_get),
        name="person-signatures",
    ),
    re_path(
        r(f"people/(?P<pk>{UUID})/attendances"),
        v.endpoint(get=v.person_attendances_get),
        name="person-attendances",
    ),
    re_path(
        r(f"people/(?P<pk>{UUID})/donations"),
        v.endpoint(get=v.person_donations_get),
        name="person-donations",
    ),
    re_path(r("tags"), v.endpoint(get=v.tags_get, post=v.tags_post), name="tags"),
    re_path(r(f"tags/(?P<pk>{INT})"), v.endpoint(get=v.tag_get), name="tag"),
    re_path(
        r(f"tags/(?P<pk>{INT})/taggings"),
        v.endpoint(get=v.taggings_get, post=v.taggings_post),
        name="taggings",
    ),
    re_path(
        r(f"tags/(?P<pk>{INT})/taggings/(?P<tagging_pk>{INT})"),
        v.endpoint(get=v.tagging_get, delete=v.tagging_delete),
        name="tagging",
    ),
    re_path(r("lists"), v.endpoint(get=v.lists_get), name="lists"),
    re_path(r(f"lists/(?P<pk>{INT})"), v.endpoint(get=v.list_get), name="list"),
    re_path(r(f"lists/(?P<pk>{INT})/items"), v.endpoint(get=v.list_items_get), name="list-items"),
    re_path(
        r(f"lists/(?P<pk>{INT})/items/(?P<item_pk>{INT})"),
        v.endpoint(get=v.list_item_get),
        name="list-item",
    ),
    re_path(r("petitions"), v.endpoint(get=v.petitions_get), name="petitions"),
    re_path(r(f"petitions/(?P<pk>{INT})"), v.endpoint(get=v.petition_get), name="petition"),
    re_path(
        r(f"petitions/(?P<pk>{INT})/signatures"),
        v.endpoint(get=v.signatures_get, post=v.signatures_post),
        name="signatures",
    ),
    re_path(
        r(f"petitions/(?P<pk>{INT})/record_signature_helper"),
        v.endpoint(post=v.signatures_post),
        name="record-signature",
    ),
    re_path(
        r(f"petitions/(?P<pk>{INT})/signatures/(?P<signature_pk>{UUID})"),
        v.endpoint(get=v.signature_get),
        name="signature",
    ),
    re_path(r("events"), v.endpoint(get=v.events_get), name="events"),
    re_path(r(f"events/(?P<pk>{INT})"), v.endpoint(get=v.event_get), name="event"),
    re_path(
        r(f"events/(?P<pk>{INT})/attendances"),
        v.endpoint(get=v.attendances_get, post=v.attendances_post),
        name="attendances",
    ),
    re_path(
        r(f"events/(?P<pk>{INT})/record_attendance_helper"),
        v.endpoint(post=v.attendances_post),
        name="record-attendance",
    ),
    re_path(
        r(f"events/(?P<pk>{INT})/attendances/(?P<attendance_pk>{UUID})"),
        v.endpoint(get=v.attendance_get),
        name="attendance",
    ),
    re_path(
        r("fundraising_pages"), v.endpoint(get=v.fundraising_pages_get), name="fundraising-pages"
    ),
    re_path(
        r(f"fundraising_pages/(?P<pk>{INT})"),
        v.endpoint(get=v.fundraising_page_get),
        name="fundraising-page",
    ),
    re_path(
        r(f"fundraising_pages/(?P<pk>{INT})/donations"),
        v.endpoint(get=v.donations_get),
        name="fundraising-page-donations",
    ),
    re_path(
        r(f"fundraising_pages/(?P<pk>{INT})/donations/(?P<donation_pk>{UUID})"),
        v.endpoint(get=v.donation_get),
        name="donation",
    ),
    re_path(r("donations"), v.endpoint(get=v.donations_get), name="donations"),
    re_path(r("messages"), v.endpoint(get=v.messages_get), name="messages"),
    re_path(r(f"messages/(?P<pk>{INT})"), v.endpoint(get=v.message_get), name="message"),
    re_path(r"^(?P<rest>.*)$", v.not_found, name="not-found"),
]
