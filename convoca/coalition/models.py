"""Organisations, the staff who act for them, and working groups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.models import TimeStampedModel


def in_language(obj, field: str) -> str:
    """The ``<field>_<language>`` value in the active language, else the other one."""
    language = (get_language() or "en")[:2]
    other = "es" if language == "en" else "en"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "")


class Organisation(TimeStampedModel):
    """A group taking part in the coalition: a member, or an endorser of its calls.

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

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    country = CountryField(_("country"), blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_es = models.TextField(_("description in Spanish"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, default=Relationship.MEMBER
    )
    show_in_directory = models.BooleanField(_("listed in the public directory"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return in_language(self, "description")


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
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="%(app_label)s_%(class)s_one_role_per_organisation",
                violation_error_message=_("This person already has a role in this organisation."),
            ),
            models.CheckConstraint(
                condition=Q(role="coordinator", organisation__isnull=True)
                | (~Q(role="coordinator") & Q(organisation__isnull=False)),
                name="%(app_label)s_%(class)s_coordinator_has_no_organisation",
                violation_error_message=_(
                    "A coordinator acts for the whole coalition; an organiser or viewer acts "
                    "for one organisation."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organisation or '—'}"


class WorkingGroup(TimeStampedModel):
    """A group of people working on one part of the campaign (sanctions, media, a pledge).

    Its members are supporters, optionally on behalf of an organisation;
    conveners review requests to join when membership is by request.
    """

    class Joining(models.TextChoices):
        OPEN = "open", _("anyone can join")
        REQUEST = "request", _("by request, reviewed by conveners")

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    purpose_en = models.TextField(_("purpose in English"), blank=True)
    purpose_es = models.TextField(_("purpose in Spanish"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        help_text=_("Leave empty for a group of the whole coalition."),
        on_delete=models.PROTECT,
        related_name="working_groups",
        null=True,
        blank=True,
    )
    joining = models.CharField(
        _("joining"), max_length=16, choices=Joining.choices, default=Joining.REQUEST
    )
    is_public = models.BooleanField(_("shown on the public site"), default=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name_en"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def purpose(self) -> str:
        return in_language(self, "purpose")


class WorkingGroupMember(TimeStampedModel):
    """A supporter in a working group, as a convener or a member."""

    class Role(models.TextChoices):
        CONVENER = "convener", _("convener")
        MEMBER = "member", _("member")

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="working_groups",
    )
    on_behalf_of = models.ForeignKey(
        Organisation,
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    public_name = models.CharField(
        _("name shown publicly"),
        max_length=120,
        blank=True,
        help_text=_("Chosen by the member; left empty, they are not named publicly."),
    )

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                name="%(app_label)s_%(class)s_once_per_group",
                violation_error_message=_("This person is already in this working group."),
            )
        ]

    def __str__(self):
        return f"{self.group} · {self.get_role_display()}"
