"""Public forms of events: registering, offering to host, and the host's own page."""

import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm
from convoca.core.forms import (
    OneLineField,
    country_field,
    email_field,
    family_name_field,
    given_name_field,
)
from convoca.events.models import Event


def _country_field(label, required=True):
    return country_field(
        label,
        required=required,
        required_message=_("Choose a country."),
        invalid_message=_("Choose a country from the list."),
    )


class PersonFields(HoneypotForm):
    """Name and email, as the signing forms ask them."""

    given_name = given_name_field()
    family_name = family_name_field()
    email = email_field(
        help_text=_("Never shown publicly. We send your confirmation and reminders here."),
        required_message=_("Enter your email address: we send your confirmation there."),
    )


class RegistrationForm(PersonFields):
    """The registration form of one event: the event's own questions, then the consent boxes."""

    def __init__(self, *args, event: Event, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        organisation = organisation or event.organisation
        self.fields["country"] = _country_field(_("Country"), required=False)
        if event.ask_phone:
            self.fields["phone"] = OneLineField(
                label=_("Phone"),
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            )
        for index, question in enumerate(event.questions or []):
            self.fields[f"question_{index}"] = OneLineField(
                label=str(question), max_length=500, required=False
            )
        self.fields["news"] = forms.BooleanField(
            label=self.news_wording(organisation), required=False
        )
        if event.host_group or event.shared.campaign_id:
            self.fields["share"] = forms.BooleanField(
                label=self.share_wording(event), required=False
            )
        self.fields["website"] = self.fields.pop("website")

    @staticmethod
    def news_wording(organisation) -> str:
        return gettext("%(organisation)s may email me about its campaigns.") % {
            "organisation": organisation.name
        }

    @staticmethod
    def share_wording(event) -> str:
        return gettext(
            "Share my name, email and phone with the local hosts of this event (%(host)s)."
        ) % {"host": event.host_group or event.organisation.name}

    def answers(self) -> dict[str, str]:
        return {
            str(question): self.cleaned_data.get(f"question_{index}", "")
            for index, question in enumerate(self.event.questions or [])
            if self.cleaned_data.get(f"question_{index}")
        }


class SeriesRegistrationForm(PersonFields):
    """Registering for every occurrence of a series."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(_("Country"), required=False)
        self.fields["news"] = forms.BooleanField(
            label=RegistrationForm.news_wording(organisation), required=False
        )
        self.fields["website"] = self.fields.pop("website")


def _zone_choices():
    common = [
        "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
        "America/Los_Angeles", "America/Mexico_City", "America/Bogota", "America/Caracas",
        "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Toronto",
        "America/Havana", "Europe/London", "Europe/Madrid", "Europe/Paris", "Europe/Berlin",
        "Europe/Rome", "Europe/Athens", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Kolkata",
        "Asia/Tokyo", "Australia/Sydney",
    ]  # fmt: skip
    return [(z, z.replace("_", " ")) for z in common] + [
        (z, z.replace("_", " "))
        for z in sorted(zoneinfo.available_timezones())
        if z not in common and "/" in z and not z.startswith(("Etc/", "SystemV/"))
    ]


def times_clean(form: forms.Form, cleaned: dict) -> dict:
    """Date, times and zone to aware ``starts_at`` and ``ends_at``, in the future."""
    date, start, end, zone = (
        cleaned.get("date"),
        cleaned.get("start_time"),
        cleaned.get("end_time"),
        cleaned.get("time_zone"),
    )
    if date and start and end and zone:
        tz = zoneinfo.ZoneInfo(zone)
        starts_at = datetime.combine(date, start, tzinfo=tz)
        ends_at = datetime.combine(date, end, tzinfo=tz)
        if ends_at <= starts_at:
            ends_at += timedelta(days=1)  # past midnight
        if starts_at <= timezone.now():
            form.add_error("date", _("Choose a date and time in the future."))
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
    return cleaned


class EventDetailsForm(forms.Form):
    """What a host writes about their event, on the host form and on their management page."""

    title = OneLineField(label=_("Title of your event"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("What, where exactly, what to bring. Markdown is allowed."),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-03-21.")},
    )
    start_time = forms.TimeField(
        label=_("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time like 17:30.")},
    )
    end_time = forms.TimeField(
        label=_("Ends at"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time like 19:00.")},
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zone_choices)
    venue_name = OneLineField(label=_("Place"), max_length=200, required=False)
    street_address = OneLineField(label=_("Street address"), max_length=250, required=False)
    city = OneLineField(label=_("City"), max_length=120)
    postal_code = OneLineField(label=_("Postal code"), max_length=20, required=False)
    capacity = forms.IntegerField(
        label=_("Places (0 for no limit)"), min_value=0, max_value=100_000, initial=0
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field(_("Country"))
        order = [*self.fields]
        order.insert(order.index("postal_code") + 1, order.pop(order.index("country")))
        self.order_fields(order)

    def clean(self):
        return times_clean(self, super().clean())

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        local_start, local_end = event.local_start, event.local_end
        return {
            "title": event.title,
            "description": event.description,
            "date": local_start.date(),
            "start_time": local_start.time().replace(tzinfo=None),
            "end_time": local_end.time().replace(tzinfo=None),
            "time_zone": event.time_zone,
            "venue_name": event.venue_name,
            "street_address": event.street_address,
            "city": event.city,
            "postal_code": event.postal_code,
            "country": event.country.code or "",
            "capacity": event.capacity,
        }


class HostForm(PersonFields):
    """The public form to offer an event in a campaign: the host, then the event."""

    host_group = OneLineField(label=_("Your group or organisation"), max_length=200, required=False)
    phone = OneLineField(
        label=_("Phone (for the coordinators only)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "Never shown publicly. We send your private link to manage the event here."
        )
        details = EventDetailsForm()
        for name, field in details.fields.items():
            self.fields[name] = field
        self.fields["website"] = self.fields.pop("website")

    def clean(self):
        return times_clean(self, super().clean())


class HostMessageForm(forms.Form):
    """The host writes to their registrants."""

    subject = OneLineField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )


class NearForm(forms.Form):
    """ "Events near me": a city, with its country if you like, or a postal code."""

    near = OneLineField(
        label=_("Your city or postal code"),
        max_length=120,
        required=False,
        help_text=_('For example "Tucson, US" or "Madrid".'),
    )
    country = OneLineField(label=_("Country"), max_length=2, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, country_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"),
            required=False,
            choices=[("", _("All countries")), *(country_choices or [])],
        )
