"""The donate form: an amount (suggested or typed), how often, who, and their choices."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm
from convoca.core.forms import OneLineField, email_field, family_name_field, given_name_field
from convoca.donations.models import Donation, Fundraiser, minor_to_major


def parse_amount(text: str) -> int | None:
    """``"25"``, ``"25.5"``, ``"25,50"`` as cents; None if it is not an amount."""
    text = text.strip().replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        return None
    return int(value * 100)


class DonationForm(HoneypotForm):
    amount_choice = forms.ChoiceField(
        label=_("Amount"), required=False, widget=forms.RadioSelect, choices=()
    )
    other_amount = OneLineField(
        label=_("Other amount"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Donation.Frequency.choices,
        initial=Donation.Frequency.ONCE,
        widget=forms.RadioSelect,
    )
    given_name = given_name_field()
    family_name = family_name_field()
    email = email_field(
        help_text=_("For your receipt. Never shown publicly."),
        required_message=_("Enter your email address: your receipt goes there."),
    )
    listed = forms.BooleanField(label=_("Show my name in the list of donors"), required=False)
    public_name = OneLineField(
        label=_("Name to show"),
        max_length=80,
        required=False,
        help_text=_("For example your first name, your initials, or your group's name."),
    )

    def __init__(self, *args, fundraiser: Fundraiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.fundraiser = fundraiser
        suggested = [a for a in fundraiser.suggested_amounts if isinstance(a, int) and a > 0]
        currency = fundraiser.currency
        self.fields["amount_choice"].choices = [
            (str(a), f"{minor_to_major(a)} {currency}") for a in suggested
        ]
        if suggested:
            self.fields["amount_choice"].initial = str(suggested[min(1, len(suggested) - 1)])
        else:
            del self.fields["amount_choice"]
            self.fields["other_amount"].label = _("Amount")
        self.fields["other_amount"].help_text = gettext("In %(currency)s.") % {"currency": currency}
        if not fundraiser.allow_monthly:
            del self.fields["frequency"]
        if not fundraiser.show_donors:
            del self.fields["listed"]
            del self.fields["public_name"]
        self.fields["news"] = forms.BooleanField(label=self.news_wording(), required=False)
        # The honeypot goes last, where a bot filling every field finds it.
        self.fields["website"] = self.fields.pop("website")

    def news_wording(self) -> str:
        return gettext("%(organisation)s may email me about its campaigns.") % {
            "organisation": self.fundraiser.organisation.name
        }

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("other_amount", "")
        if other:
            amount = parse_amount(other)
            if amount is None:
                self.add_error("other_amount", _("Enter an amount in numbers, like 25 or 25.50."))
                return cleaned
        else:
            amount = int(cleaned["amount_choice"]) if cleaned.get("amount_choice") else None
        if amount is None:
            self.add_error(
                "other_amount" if "amount_choice" not in self.fields else "amount_choice",
                _("Choose an amount or type one."),
            )
            return cleaned
        if amount < self.fundraiser.minimum_amount:
            self.add_error(
                "other_amount",
                gettext("The smallest gift is %(amount)s %(currency)s.")
                % {
                    "amount": minor_to_major(self.fundraiser.minimum_amount),
                    "currency": self.fundraiser.currency,
                },
            )
        if amount > 100_000_000:
            self.add_error("other_amount", _("For a gift this large, please contact us."))
        cleaned["amount"] = amount
        cleaned.setdefault("frequency", Donation.Frequency.ONCE)
        if cleaned.get("listed") and not cleaned.get("public_name", "").strip():
            self.add_error("public_name", _("Enter the name to show, or untick the box."))
        return cleaned

    def listed_wording(self) -> str:
        return str(self.fields["listed"].label) if "listed" in self.fields else ""
