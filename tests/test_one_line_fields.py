"""Every short text field of every model is cleaned to one line on save, or reviewed here.

Names, titles, places, subjects: ``core.fields.OneLineCharField``,
``EncryptedTextField(one_line=True)`` or ``OneLineLabelsField`` clean them
(``core.text.one_line``: no line break, no bidirectional control) on every
save, whatever wrote them: a public form, the admin, a service, the API,
an import. A new short text field that does neither fails here until it
is made one line or listed below with the reason it need not be.
"""

from django.apps import apps
from django.db import models

from convoca.core.fields import (
    BlindIndexField,
    EncryptedTextField,
    OneLineCharField,
    OneLineLabelsField,
)
from convoca.core.forms import OneLineField
from convoca.core.translatable import LanguageField

#: Reviewed: short text fields that are not cleaned to one line, and why.
NOT_ONE_LINE = {
    "people.PersonImport.file_key": "made by code, encrypted",
    "people.PersonImport.delimiter": "one character, detected or chosen from a list",
    "people.PersonImport.error": "a message written by Convoca",
    "organisations.Organisation.pledge_public_key": "a base64 public key, validated on save",
    "actions.Signature.answers": "JSON of a pledge's answers (sealed or free text, lines allowed)",
    "letters.Target.key": "the imported file's identifier, matched exactly on re-import",
    "letters.Target.language": "a language code",
    "letters.Letter.text": "the letter itself: several lines, plain text",
    "letters.LetterDelivery.outbox_key": "built by code from ids",
    "donations.ProviderSync.provider": "a code name",
    "donations.ProviderSync.last_event_id": "the provider's event id",
    "api.ApiKey.prefix": "the key's first characters, made by code",
    "api.ApiKey.key_hash": "a hash",
    "api.CustomFields.values": "JSON of an organisation's custom fields",
    "api.WebhookEndpoint.secret": "made by code",
    "api.WebhookDelivery.event_key": "built by code from ids",
    "api.WebhookDelivery.last_error": "the error's kind and code only",
    "staff.AuthenticatorApp.name": "django-otp's device name, set by Convoca",
    "staff.AuthenticatorApp.key": "the TOTP secret, hex",
    "staff.Passkey.name": "cleaned by staff.services with one_line",
    "staff.Passkey.credential_id": "the authenticator's id, base64url",
    "staff.RecoveryCodes.name": "django-otp's device name, set by Convoca",
    "staff.RecoveryCode.code_index": "a keyed hash",
    # Written by code, never typed by a person.
    "core.DataKey.key_id": "a key's fingerprint, hex",
    "core.AuditEntry.verb": "one of core.audit.AUDIT_KINDS",
    "core.AuditEntry.target": "built by code from titles and references already one line",
    "core.OutboxEmail.kind": "a code name",
    "core.OutboxEmail.language": "a language code",
    "core.OutboxEmail.person_id": "a UUID",
    "core.OutboxEmail.dedupe_key": "built by code from ids",
    "core.OutboxEmail.last_error": "the error's kind and code only",
    "people.Person.email_index": "a keyed hash",
    "people.Consent.subject_id": "an id",
    "people.Consent.source": "the form's code name",
    "people.Activity.subject_id": "an id",
    "mailings.Subscription.source": "the form's code name",
    "mailings.Suppression.email_index": "a keyed hash",
    "mailings.Suppression.detail": "the provider's reason, addresses redacted; never in an email",
    "mailings.Delivery.language": "a language code",
    "mailings.Delivery.error": "the error's kind and code",
    "mailings.Delivery.provider_id": "the provider's message id",
    "events.SeriesShared.rule": "an RFC 5545 rule, validated",
    "events.SeriesShared.time_zone": "a zone name, validated",
    "events.SeriesShared.kind": "a code",
    "events.EventShared.time_zone": "a zone name, validated",
    "events.EventShared.host_key": "a random key",
    "events.Registration.answers": "JSON of answers, each made one line by registration_create",
    "actions.SignatureIntake.payload": "JSON of a signing form; its person fields clean on save",
    "donations.Donation.currency": "an ISO code",
    "donations.Donation.provider": "a code name",
    "donations.Donation.checkout_reference": "the provider's id",
    "donations.Donation.customer_reference": "the provider's id",
    "donations.Donation.subscription_reference": "the provider's id",
    "donations.Payment.reference": "the provider's id",
    "donations.Payment.payment_intent": "the provider's id",
    "donations.WebhookEvent.provider": "a code name",
    "donations.WebhookEvent.event_id": "the provider's id",
    "donations.WebhookEvent.kind": "the provider's event type",
    "donations.WebhookEvent.waiting_for": "the provider's id",
    # Free text: several lines on purpose.
    "core.OutboxEmail.to": "an address checked when the email is written",
    "core.OutboxEmail.message": "a rendered message; Django's email refuses breaks in headers",
    "coalition.AffiliationRequest.message": "free text",
    "coalition.AffiliationQuestion.body": "free text",
    "coalition.JoinRequest.message": "free text",
    "actions.Signature.comment": "free text, not on the public list",
    "events.HostMessage.body": "free text",
    "donations.OfflineGift.note": "free text",
    "inbox.ContactMessage.body": "free text",
    "inbox.ThreadEntry.body": "free text",
}


def _short_text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("convoca.") or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.choices or isinstance(
                field,
                (
                    BlindIndexField,
                    LanguageField,  # a language code of the LANGUAGES setting
                    models.SlugField,
                    models.URLField,
                    models.EmailField,
                ),
            ):
                continue  # validated formats, or computed
            if isinstance(field, (models.CharField, EncryptedTextField)):
                yield f"{model._meta.label}.{field.name}", field


def _one_line(field) -> bool:
    return isinstance(field, OneLineCharField) or (
        isinstance(field, EncryptedTextField) and field.one_line
    )


def test_every_short_text_field_is_one_line_or_reviewed():
    fields = dict(_short_text_fields())
    unreviewed = [name for name, field in fields.items() if not _one_line(field)]
    assert [name for name in unreviewed if name not in NOT_ONE_LINE] == []
    # A reviewed field made one line since, or gone: the list says so.
    assert [name for name in NOT_ONE_LINE if name not in unreviewed] == []


def test_names_subjects_and_labels_are_one_line_fields_in_every_form():
    one_line = {name for name, field in _short_text_fields() if _one_line(field)}
    for name in [
        "people.Person.given_name",
        "people.Person.family_name",
        "actions.Signature.organisation_name",
        "actions.PledgeActivationText.subject",
        "mailings.MailingListText.name",
        "events.HostMessage.subject",
        "inbox.ContactMessage.name",
        "organisations.Organisation.name",
        "donations.Donor.public_name",
    ]:
        assert name in one_line, name
        app_model, field_name = name.rsplit(".", 1)
        field = apps.get_model(app_model)._meta.get_field(field_name)
        assert isinstance(field.formfield(), OneLineField), name  # the admin's forms too
    for label, field_name in [
        ("mailings.Mailing", "subject"),
        ("publishing.Topic", "name"),
    ]:
        assert isinstance(apps.get_model(label)._meta.get_field(field_name), OneLineLabelsField)


def test_labels_by_language_are_stored_one_line_each(db):
    from convoca.publishing.models import Topic

    topic = Topic.objects.create(slug="peace", name={"en": "Peace\u202e\r\nnow", "es": "Paz"})
    assert topic.name == {"en": "Peace now", "es": "Paz"}
    assert Topic.objects.get().name == {"en": "Peace now", "es": "Paz"}
