from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from convoca.core.forms import OneLineField


class SearchForm(forms.Form):
    """The public search box: words, and which language's texts to look in."""

    q = OneLineField(label=_("Search for"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Search in"), required=False)

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("all", _("both languages")), *settings.LANGUAGES]
        self.fields["language"].initial = "all"
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def clean_language(self):
        return self.cleaned_data.get("language") or "all"
