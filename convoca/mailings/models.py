"""Mailing lists, who is subscribed, who must never be mailed, and mailings sent to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convoca.core.fields import OneLineCharField, OneLineLabelsField
from convoca.core.i18n import label_in_language
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import TranslatableModel, TranslationModel, version_constraints


class MailingList(TranslatableModel):
    """A list people subscribe to, such as "Alerts: webinars and mobilisations".

    It belongs to an organisation, or to the whole coalition when
    ``organisation`` is empty. This is the language-neutral row; its name
    and description are a ``MailingListText`` per language (``label``,
    ``text``: the reader's language, else another that has it). A public
    list has a subscribe page; a private one is filled only through other
    forms (an action's consent box) or by organisers.
    """

    # Kept from before the texts moved out: subscriptions, mailings and consents refer to it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailing_lists",
        help_text=_("Leave empty for a list of the whole coalition."),
    )
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)

    class Purpose(models.TextChoices):
        GENERAL = "general", _("general")
        NEWS = "news", _("news from the organisation (its forms' consent box)")
        WEEKLY = "weekly", _("the Weekly digest")
        GROUP = "group", _("a working group's members")

    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Anyone may subscribe on its public page.")
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=16,
        choices=Purpose,
        default=Purpose.GENERAL,
        help_text=_(
            'A news list receives the people who tick an organisation\'s "news from us" box '
            "on a signing or registration form; a Weekly list receives each published issue."
        ),
    )

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(purpose="news"),
                name="%(app_label)s_%(class)s_one_news_list_per_organisation",
                violation_error_message=_("This organisation already has a news list."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The list's name in the active language, else in another; else its short name."""
        return self.text_in("name") or self.slug

    @property
    def text(self) -> str:
        """The list's description in the active language, else in another."""
        return self.text_in("description")


class MailingListText(TranslationModel):
    """A mailing list's name and description in one language.

    Either may be empty: the list shows the other language's then
    (``MailingList.text_in``).
    """

    shared = models.ForeignKey(
        MailingList,
        verbose_name=_("mailing list"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    name = OneLineCharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("mailing list text")
        verbose_name_plural = _("mailing list texts")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This list already has a text in this language.")
        )

    def __str__(self):
        return self.name or self.get_language_display()


class Subscription(TimeStampedModel):
    """One person's place on one list: requested, subscribed, or unsubscribed.

    Only ``subscribed`` rows are mailed. An unsubscribe is final until the
    person confirms a new request through the link sent to their address:
    no import, signature or sync turns it back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        SUBSCRIBED = "subscribed", _("subscribed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")

    mailing_list = models.ForeignKey(
        MailingList,
        verbose_name=_("mailing list"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("subscribed through"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "person"],
                name="%(app_label)s_%(class)s_once_per_list",
                violation_error_message=_("This person already has a place on this list."),
            )
        ]
        indexes = [models.Index(fields=["mailing_list", "status"], name="mailings_sub_status_idx")]

    def __str__(self):
        return f"{self.mailing_list} · {self.get_status_display()}"


class Suppression(models.Model):
    """An address no bulk mailing may reach: it bounced, complained or unsubscribed from all.

    Keyed by the email's blind index, so an address is suppressed before it
    becomes a person and stays suppressed if the person is erased and signs
    up again. Only a new double opt-in by the address's owner lifts it.
    """

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("marked as spam")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed from everything")
        REJECTED = "rejected", _("refused by the provider")
        MANUAL = "manual", _("added by an organiser")

    email_index = models.CharField(_("email index"), max_length=64, unique=True, editable=False)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.email_index[:8]}"


class Mailing(TimeStampedModel):
    """One message to the subscribers of some lists, in each reader's language.

    Subject and Markdown body are kept per language (``{"en": ..., "es": ...}``);
    a reader gets their language, or the other when it is missing. The
    audience is the confirmed subscribers of ``lists``, narrowed by
    ``audience`` (see ``selectors.mailing_audience``), never a suppressed
    address. Sending makes one :class:`Delivery` per recipient first; the
    engine (services.mailing_send_batch) then sends each once.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        PAUSED = "paused", _("paused")
        CANCELLED = "cancelled", _("cancelled")
        SENT = "sent", _("sent")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mailings",
        help_text=_("Leave empty for a mailing of the whole coalition."),
    )
    lists = models.ManyToManyField(
        MailingList, verbose_name=_("lists"), related_name="mailings", blank=True
    )
    subject = OneLineLabelsField(_("subject"), default=dict)
    body_markdown = models.JSONField(_("text"), default=dict)
    first_name_fallback = OneLineLabelsField(
        _("greeting when the first name is unknown"), default=dict, blank=True
    )
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"),
        null=True,
        blank=True,
        help_text=_("Leave empty to send as fast as the mail server takes them."),
    )
    track_opens = models.BooleanField(
        _("count opens"),
        default=False,
        help_text=_("Off by default, for supporters' privacy; the email then says it counts."),
    )
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at"]

    def __str__(self):
        return label_in_language(self.subject) or str(_("(no subject)"))

    @property
    def languages(self) -> list[str]:
        return [
            code
            for code, _name in settings.LANGUAGES
            if self.subject.get(code) and self.body_markdown.get(code)
        ]

    def language_for(self, language: str) -> str:
        """The language a reader of ``language`` gets: theirs, else the first the mailing has."""
        languages = self.languages
        if language in languages:
            return language
        return languages[0] if languages else settings.LANGUAGE_CODE


class Delivery(models.Model):
    """One recipient of one mailing: the row that makes sending exactly-once.

    Made for everyone in the audience when sending starts (the unique
    constraint makes a second attempt add no one). A worker *claims* a few
    pending rows, streams each message to the mail server and, before the
    last byte that makes the server accept it, commits the row as
    ``sending``: a row is never sent again once it is ``sending`` or
    ``sent``, whatever crashes. A claim whose worker died is released to
    ``pending`` after a lease, and nothing of it had reached the server.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        CLAIMED = "claimed", _("being prepared")
        SENDING = "sending", _("handed to the mail server")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent (cancelled)")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("mailing"), on_delete=models.CASCADE, related_name="deliveries"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    claim = models.UUIDField(_("claimed by"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    complained_at = models.DateTimeField(_("marked as spam"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "person"], name="%(app_label)s_%(class)s_once_per_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "status"], name="mailings_delivery_status_idx"),
            models.Index(
                fields=["provider_id"],
                condition=~Q(provider_id=""),
                name="mailings_delivery_provider_idx",
            ),
        ]

    def __str__(self):
        return f"{self.mailing_id}/{self.pk} · {self.get_status_display()}"
