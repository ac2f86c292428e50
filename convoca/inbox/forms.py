"""The public contact form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from convoca.core.antibot import HoneypotForm
from convoca.core.forms import OneLineField, email_field
from convoca.inbox.models import ContactMessage


class ContactForm(HoneypotForm):
    name = OneLineField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name, so that we know how to address you.")},
    )
    email = email_field(
        label=_("Your email"),
        help_text=_("We answer to this address and never show it to anyone."),
        required_message=_("Enter your email address, so that we can answer."),
    )
    subject = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ContactMessage.Subject.choices,
        initial=ContactMessage.Subject.GENERAL,
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "Your message is %(show_value)d characters long; please keep it under "
                "%(limit_value)d."
            ),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The honeypot goes last, where a bot filling every field finds it.
        self.fields["website"] = self.fields.pop("website")
