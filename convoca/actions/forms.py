"""The signing form, built for each action from the questions its organiser asks."""

import threading

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from convoca.actions.models import Action, Signature
from convoca.core.antibot import HoneypotForm
from convoca.core.forms import (
    OneLineField,
    country_field,
    email_field,
    family_name_field,
    given_name_field,
)

MAX_LOGO_BYTES = 2 * 1024 * 1024


def _country_field(label):
    return country_field(
        label,
        required_message=_("Choose your country: it is shown in the count."),
        invalid_message=_("Choose your country from the list."),
    )


class SignatureForm(HoneypotForm):
    """Fields common to every action; __init__ adds what this action asks for."""

    given_name = given_name_field()
    family_name = family_name_field()
    email = email_field(
        help_text=_("Never shown publicly. We send you one email to confirm."),
        required_message=_("Enter your email address: we send you a link to confirm."),
    )

    def __init__(self, *args, action: Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields.update(self.fields_for(action))
        if action.is_endorsement:
            self.fields["given_name"].label = _("Contact person: first name")
            self.fields["email"].help_text = _("Never shown publicly; for the organisers only.")
        # The honeypot goes last, where a bot filling every field finds it.
        self.fields["website"] = self.fields.pop("website")

    @classmethod
    def fields_for(cls, action: Action) -> dict[str, forms.Field]:
        """The fields this action asks for, besides the declared ones, freshly built."""
        fields = {"country": _country_field(_("Country"))}
        asks = {
            "organisation_name": (
                action.ask_organisation,
                lambda: OneLineField(label=_("Organisation"), max_length=200),
            ),
            "role": (
                action.ask_role,
                lambda: OneLineField(label=_("Role or title"), max_length=200),
            ),
            "members_represented": (
                action.ask_members,
                lambda: forms.IntegerField(
                    label=_("Members your organisation represents"),
                    min_value=0,
                    max_value=2_000_000_000,
                    error_messages={"invalid": _("Enter a whole number, like 25000.")},
                ),
            ),
            "phone": (
                action.ask_phone,
                lambda: OneLineField(
                    label=_("Phone"),
                    max_length=40,
                    widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
                ),
            ),
            "city": (
                action.ask_place,
                lambda: OneLineField(
                    label=_("City"),
                    max_length=120,
                    widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
                ),
            ),
            "postal_code": (
                action.ask_place,
                lambda: OneLineField(
                    label=_("Postal code"),
                    max_length=20,
                    widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
                ),
            ),
            "comment": (
                action.ask_comment,
                lambda: forms.CharField(
                    label=_("Comment"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
                ),
            ),
        }
        # Built only when asked.
        for name, (ask, make_field) in asks.items():
            if ask != Action.Ask.NO:
                field = make_field()
                field.required = ask == Action.Ask.REQUIRED
                fields[name] = field
        if action.is_endorsement:
            fields["endorser_name"] = OneLineField(
                label=_("Name of the organisation that endorses"),
                max_length=200,
                error_messages={"required": _("Enter the name of your organisation.")},
            )
            fields["endorser_country"] = _country_field(_("Country of the organisation"))
            fields["endorser_website"] = forms.URLField(
                label=_("Its website"),
                required=False,
                assume_scheme="https",
                error_messages={"invalid": _("Enter a web address, like https://example.org.")},
            )
            fields["endorser_logo"] = forms.ImageField(
                label=_("Its logo (optional)"),
                required=False,
                help_text=_("PNG or JPEG, at most 2 MB."),
            )
        elif not action.is_pledge and action.show_signers:
            fields["visibility"] = forms.ChoiceField(
                label=_("How should your signature appear in the public list?"),
                choices=Signature.Visibility.choices,
                initial=Signature.Visibility.HIDDEN,
                required=False,
                widget=forms.RadioSelect,
            )
        if action.is_pledge:
            for question in action.questions.all():
                fields[f"question_{question.pk}"] = OneLineField(
                    label=question.text,
                    max_length=500,
                    required=question.required,
                    help_text=_(
                        "Sealed as soon as it arrives: only %(organisation)s can read your "
                        "answer, with a key kept off this server."
                    )
                    % {"organisation": action.organisation.name}
                    if question.sensitive
                    else "",
                )
        for organisation in [action.organisation, *action.co_sponsors.all()]:
            fields[f"consent_{organisation.pk}"] = forms.BooleanField(
                label=cls.consent_wording(organisation), required=False
            )
        return fields

    @staticmethod
    def consent_wording(organisation) -> str:
        return gettext("%(organisation)s may email me about its campaigns.") % {
            "organisation": organisation.name
        }

    def clean_endorser_logo(self):
        logo = self.cleaned_data.get("endorser_logo")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 2 MB; send a smaller one."))
        return logo

    def consents(self) -> dict[int, str]:
        """The organisations whose box was ticked, with the sentence the signer saw."""
        return _consents(self.cleaned_data, self.fields)


def pledge_answers(cleaned_data: dict) -> dict[str, str]:
    """The answers to a pledge's questions in a cleaned form, by question id (plain)."""
    return {
        name.removeprefix("question_"): value
        for name, value in cleaned_data.items()
        if name.startswith("question_") and value
    }


_CHECK_FIELDS: dict[tuple, dict[str, forms.Field]] = {}
_CHECK_FIELDS_LOCK = threading.Lock()
_NO_FILES = MultiValueDict()


def _check_fields(action: Action) -> dict[str, forms.Field]:
    """The fields of this action's SignatureForm in the active language, built once."""
    # Reading co_sponsors builds a related manager each time: remembered on the
    # object, which action_get_for_signing replaces every few seconds.
    action_key = action.__dict__.get("_signature_check_key")
    if action_key is None:
        organisations = (action.organisation, *action.co_sponsors.all())
        action_key = (
            action.pk,
            action.updated_at,
            action.shared.updated_at,
            tuple((o.pk, o.name) for o in organisations),
        )
        action.__dict__["_signature_check_key"] = action_key
    key = (*action_key, get_language())  # consent labels are translated when built
    fields = _CHECK_FIELDS.get(key)
    if fields is None:
        fields = SignatureForm(action=action).fields
        with _CHECK_FIELDS_LOCK:
            if len(_CHECK_FIELDS) > 500:
                _CHECK_FIELDS.clear()
            _CHECK_FIELDS[key] = fields
    return fields


def signature_form_clean(data, *, action: Action) -> tuple[dict, dict[int, str]] | None:
    """What ``SignatureForm(data, action=action)`` would clean, when it is valid; else None.

    The hot path of signing (docs/benchmarks.md). The same field objects
    clean the same values: only the form around them is left out (its
    per-request copy of every field, its bound fields, its error lists).
    The fields are built once per process and shared, which is safe because
    cleaning changes nothing in a field. None means "not valid": build a
    ``SignatureForm`` with the same data to show the errors. Returns the
    cleaned data and :meth:`SignatureForm.consents`. Not for endorsements
    (they carry a file, and are rare). ``tests/test_signing.py`` checks it
    against the form.
    """
    fields = _check_fields(action)
    cleaned = {}
    try:
        for name, field in fields.items():
            cleaned[name] = field.clean(field.widget.value_from_datadict(data, _NO_FILES, name))
    except forms.ValidationError:
        return None
    if cleaned["website"]:  # the honeypot: HoneypotForm.clean_website refuses it
        return None
    cleaned["website"] = ""
    return cleaned, _consents(cleaned, fields)


def _consents(cleaned_data: dict, fields: dict[str, forms.Field]) -> dict[int, str]:
    return {
        int(name.removeprefix("consent_")): str(fields[name].label)
        for name, value in cleaned_data.items()
        if name.startswith("consent_") and value
    }


def signature_form_check_cache_clear() -> None:
    _CHECK_FIELDS.clear()
