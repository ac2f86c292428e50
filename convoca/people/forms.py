from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm


class DataAccessRequestForm(HoneypotForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Please enter a valid email address, like ana@example.org.")},
    )


class DataEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my personal data will be deleted and cannot be recovered."),
        error_messages={"required": _("Tick the box to confirm that you want your data erased.")},
    )


class PersonImportUploadForm(forms.Form):
    """The first step of an import: which organisation, what kind of file, and the file."""

    organisation = forms.ModelChoiceField(label=_("Import into"), queryset=None, empty_label=None)
    file_format = forms.ChoiceField(
        label=_("Kind of file"), choices=(), widget=forms.RadioSelect, initial="action_network"
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "In Action Network: People → Activists → Download (CSV). From a spreadsheet: "
            "save as “CSV UTF-8”, with the column names in the first row."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        from convoca.people.models import PersonImport

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["file_format"].choices = PersonImport.Format.choices
        self.head = None

    def clean(self):
        from convoca.people.imports import ImportFileRefused, person_import_file_check

        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None and cleaned.get("file_format"):
            try:
                self.head = person_import_file_check(upload, file_format=cleaned["file_format"])
            except ImportFileRefused as refused:
                self.add_error("file", str(refused))
        return cleaned


class PersonImportMappingForm(forms.Form):
    """Which column of a generic file holds each field; only the email is required."""

    def __init__(self, *args, header: list[str], initial_mapping: dict, **kwargs):
        from convoca.people.imports import FIELDS

        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [
            (str(position), name or f"#{position + 1}") for position, name in enumerate(header)
        ]
        for field, label in FIELDS:
            position = initial_mapping.get(field)
            self.fields[field] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=field == "email",
                initial="" if position is None else str(position),
                error_messages={"required": _("Choose the column that holds the email address.")},
            )
        self.fields["consent"].help_text = _(
            "Only rows saying yes (yes, y, true, 1, x, subscribed, sí) are recorded as "
            "agreeing to be contacted; “unsubscribed” withdraws a consent in force. Without "
            "this column nobody is given a consent."
        )

    def clean(self):
        cleaned = super().clean()
        used: dict[int, str] = {}
        for field, position in cleaned.items():
            if position is None:
                continue
            if position in used:
                self.add_error(field, _("This column is already used for another field."))
            used[position] = field
        return cleaned

    def mapping(self) -> dict[str, int]:
        return {field: pos for field, pos in self.cleaned_data.items() if pos is not None}
