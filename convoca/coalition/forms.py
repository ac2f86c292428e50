"""Public forms of the coalition: affiliating an organisation, joining a working group."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from convoca.coalition.models import WorkingGroup
from convoca.core.antibot import HoneypotForm
from convoca.core.forms import OneLineField, email_field, family_name_field, given_name_field
from convoca.organisations.models import Organisation

MAX_LOGO_BYTES = 2 * 1024 * 1024


def _country_choices():
    return [("", "—"), *countries]  # in the active language, sorted


def _email_field(*, help_text):
    return email_field(help_text=help_text, required_message=_("Enter your email address."))


class AffiliationForm(HoneypotForm):
    """An organisation asks to join the coalition; a coordinator reviews it."""

    name = OneLineField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={"required": _("Enter the name of your organisation.")},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        error_messages={"required": _("Choose the country where your organisation works.")},
    )
    city = OneLineField(label=_("City"), max_length=120, required=False)
    # Not "website": that is the honeypot's name (core.antibot).
    organisation_website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://example.org.")},
    )
    description = forms.CharField(
        label=_("What does your organisation do?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences; shown in the directory if you are approved."),
        error_messages={"required": _("Tell us in a few sentences what your organisation does.")},
    )
    relationship = forms.ChoiceField(
        label=_("How does it want to take part?"),
        choices=[
            (Organisation.Relationship.MEMBER, _("As a member: working with the coalition")),
            (Organisation.Relationship.ENDORSER, _("As an endorser: supporting its calls")),
        ],
        initial=Organisation.Relationship.MEMBER,
        widget=forms.RadioSelect,
    )
    logo = forms.ImageField(
        label=_("Logo (optional)"), required=False, help_text=_("PNG or JPEG, at most 2 MB.")
    )
    given_name = OneLineField(
        label=_("Contact person: first name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter the first name of the contact person.")},
    )
    family_name = OneLineField(
        label=_("Contact person: last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = _email_field(help_text=_("Never shown publicly; the coordinators write to it."))
    message = forms.CharField(
        label=_("Anything else the coordinators should know? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The honeypot goes last, where a bot filling every field finds it.
        self.fields["website"] = self.fields.pop("website")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 2 MB; send a smaller one."))
        return logo


class JoinForm(HoneypotForm):
    """A person asks to join a working group, or to represent their organisation in a body."""

    given_name = given_name_field()
    family_name = family_name_field()
    email = _email_field(help_text=_("Never shown publicly. We send you one email to confirm."))
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of an organisation (optional)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )
    public_name = OneLineField(
        label=_("Name shown publicly (optional)"),
        max_length=120,
        required=False,
        help_text=_("Left empty, you are not named on the group's page."),
    )
    message = forms.CharField(
        label=_("A few words to the conveners (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        field = self.fields["on_behalf_of"]
        field.queryset = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        if group.is_strategy_body:
            field.required = True
            field.label = _("The organisation you represent")
            field.error_messages["required"] = _(
                "Choose the organisation you would represent: this body is made of "
                "representatives of member organisations."
            )
        if group.is_open:
            del self.fields["message"]
        self.fields["website"] = self.fields.pop("website")
