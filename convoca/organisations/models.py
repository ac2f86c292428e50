"""Organisations, the tenancy every app is scoped by, and the staff who act for them.

These models were first in the coalition app; their tables and constraints
keep the names they had there (``coalition_organisation``...), so that the
move changed nothing in the database (migration 0001).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import (
    TranslatableModel,
    TranslationModel,
    VersionText,
    version_constraints,
)


def pledge_public_key_validate(value: str) -> None:
    from convoca.core.sealing import SealingError, public_key_read

    try:
        public_key_read(value)
    except SealingError as exc:
        raise ValidationError(
            _(
                "This is not a public key made by “convoca pledgekey new”: paste the line it "
                "printed after “Public key:”."
            ),
            code="invalid",
        ) from exc


class Organisation(TranslatableModel):
    """A group taking part in the coalition: a member, or an endorser of its calls.

    Its description is kept per language (``OrganisationText``); everything
    else is one for every language.

    Organisations own the actions, events, lists and mailings their staff
    create, and the consents supporters give them. Only an active
    organisation appears publicly or can be chosen by its staff.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")

    class Relationship(models.TextChoices):
        MEMBER = "member", _("member")
        ENDORSER = "endorser", _("endorser")

    # Kept from before the description moved out: everything an organisation owns refers to it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    name = OneLineCharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    country = CountryField(_("country"), blank=True)
    city = OneLineCharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, default=Relationship.MEMBER
    )
    pledge_public_key = models.CharField(
        _("public key for pledge answers"),
        max_length=64,
        blank=True,
        validators=[pledge_public_key_validate],
        help_text=_(
            "Made on your own computer with “convoca pledgekey new”, which keeps the private key "
            "there. Answers to sensitive pledge questions are sealed to this key: nobody on the "
            "server can read them, only the holder of the private key."
        ),
    )
    show_in_directory = models.BooleanField(_("listed in the public directory"), default=True)
    # What the organisation chooses to show in the public directory, beyond its name.
    show_logo = models.BooleanField(_("show the logo in the directory"), default=True)
    show_website = models.BooleanField(_("show the website in the directory"), default=True)
    show_city = models.BooleanField(_("show the city in the directory"), default=True)
    show_description = models.BooleanField(_("show the description in the directory"), default=True)
    second_factor_required = models.BooleanField(
        _("staff must use a second factor"),
        default=False,
        help_text=_(
            "Its staff then need an authenticator app or a passkey after their password, "
            "even where the whole site does not require one."
        ),
    )

    # Its description, read in the visitor's language (``OrganisationText``).
    description = VersionText()

    class Meta:
        db_table = "coalition_organisation"
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationText(TranslationModel):
    """An organisation's description in one language."""

    shared = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        db_table = "coalition_organisationtext"
        verbose_name = _("organisation text")
        verbose_name_plural = _("organisation texts")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This organisation already has a text in this language.")
        )

    def __str__(self):
        return self.get_language_display()


class Membership(TimeStampedModel):
    """A staff account's role: deployment coordinator, or organiser or viewer of one organisation.

    A coordinator has no organisation and sees everything; an organiser
    creates and edits their organisation's objects; a viewer only reads them.
    """

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coalition coordinator")
        ORGANISER = "organiser", _("organiser")
        VIEWER = "viewer", _("viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        db_table = "coalition_membership"
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="coalition_membership_one_role_per_organisation",
                violation_error_message=_("This person already has a role in this organisation."),
            ),
            models.CheckConstraint(
                condition=Q(role="coordinator", organisation__isnull=True)
                | (~Q(role="coordinator") & Q(organisation__isnull=False)),
                name="coalition_membership_coordinator_has_no_organisation",
                violation_error_message=_(
                    "A coordinator acts for the whole coalition; an organiser or viewer acts "
                    "for one organisation."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation or '—'}"
