"""Working groups and their members, and the requests to join a group or the coalition."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from convoca.core.fields import EncryptedTextField, OneLineCharField
from convoca.core.models import TimeStampedModel
from convoca.core.translatable import (
    LanguageField,
    TranslatableModel,
    TranslationModel,
    VersionText,
    version_constraints,
)
from convoca.organisations.models import Organisation


class WorkingGroup(TranslatableModel):
    """A group of people working on one part of the campaign (sanctions, media, a pledge).

    Its name, purpose and description are kept per language
    (``WorkingGroupText``); the rest is shared by every language, as its
    one address is.

    Its members are supporters, optionally on behalf of an organisation;
    conveners review requests to join when membership is by request.
    """

    class Joining(models.TextChoices):
        OPEN = "open", _("anyone can join")
        REQUEST = "request", _("by request, reviewed by conveners")

    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", _("working group")
        STRATEGY_BODY = "strategy_body", _("strategy body (representatives of organisations)")

    # Kept from before the texts moved out: memberships and requests refer to it.
    id = models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.WORKING_GROUP,
        help_text=_(
            "In a strategy body every member represents an organisation, and joining is always "
            "by request."
        ),
    )
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
    mailing_list = models.OneToOneField(
        "mailings.MailingList",
        verbose_name=_("members' mailing list"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="working_group",
    )

    # Its texts, read in the visitor's language (``WorkingGroupText``).
    name = VersionText()
    purpose = VersionText()
    description = VersionText()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("coalition:working-group-detail", kwargs={"slug": self.slug})

    @property
    def is_strategy_body(self) -> bool:
        return self.kind == self.Kind.STRATEGY_BODY

    @property
    def is_open(self) -> bool:
        """Whether a confirmed request to join is accepted without a convener's review."""
        return self.joining == self.Joining.OPEN and not self.is_strategy_body


class WorkingGroupText(TranslationModel):
    """A working group's name, purpose and description in one language."""

    shared = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    name = OneLineCharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    class Meta:
        verbose_name = _("working group text")
        verbose_name_plural = _("working group texts")
        ordering = ["language"]
        constraints = version_constraints(
            version_exists=_("This group already has a text in this language.")
        )

    def __str__(self):
        return self.name


class WorkingGroupMember(TimeStampedModel):
    """A supporter in a working group, as a convener or a member.

    ``public_name`` is encrypted like the rest of the member's personal data.
    """

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
    #: Identifies the row in the encryption of its personal fields (the id is numbered).
    row_key = models.UUIDField(default=uuid.uuid4, editable=False)
    public_name = EncryptedTextField(
        _("name shown publicly"),
        max_length=120,
        blank=True,
        row_key="row_key",
        help_text=_("Chosen by the member; left empty, they are not named publicly."),
        one_line=True,
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


class AffiliationRequest(TimeStampedModel):
    """An organisation asking to join the coalition, as a member or an endorser.

    Sent through the public form and reviewed by a coordinator, who may ask
    the contact a question by email, approve it (which creates the
    organisation and invites the contact as its organiser) or decline it.
    The contact is a supporter (``person``): their name and email live,
    encrypted, on the Person; ``message`` is encrypted here.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        QUESTIONED = "questioned", _("question sent to the contact")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = OneLineCharField(_("organisation name"), max_length=200)
    country = CountryField(_("country"))
    city = OneLineCharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=2000)
    relationship = models.CharField(
        _("how it wants to take part"),
        max_length=16,
        choices=Organisation.Relationship.choices,
        default=Organisation.Relationship.MEMBER,
    )
    message = EncryptedTextField(_("message from the contact"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="affiliation-logos/", blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("contact person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affiliation_requests",
    )
    language = LanguageField(_("contact's language"), default="en")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation created"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="affiliation_request",
    )

    class Meta:
        verbose_name = _("affiliation request")
        verbose_name_plural = _("affiliation requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_approved_has_organisation",
                violation_error_message=_("An approved request has its organisation."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.QUESTIONED)


class AffiliationQuestion(TimeStampedModel):
    """A question a coordinator emailed to the contact of an affiliation request.

    Kept with the request so that every coordinator sees what was asked;
    the contact answers by replying to the email.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(
        AffiliationRequest,
        verbose_name=_("affiliation request"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    body = EncryptedTextField(_("question"))

    class Meta:
        verbose_name = _("question to the contact")
        verbose_name_plural = _("questions to the contact")
        ordering = ["created_at"]

    def __str__(self):
        return str(_("question of %(date)s")) % {"date": f"{self.created_at:%Y-%m-%d}"}


class JoinRequest(TimeStampedModel):
    """A person asking to join a working group, or to represent their organisation in a body.

    The person first confirms their address through an emailed link; then
    an open group takes them at once, and otherwise the group's conveners
    (by an emailed link) or its staff (in the admin) accept or decline.
    ``message`` is what the person wrote to the conveners, encrypted.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("waiting for the person to confirm their email")
        PENDING = "pending", _("waiting for the conveners")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    on_behalf_of = models.ForeignKey(
        Organisation,
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    public_name = EncryptedTextField(
        _("name shown publicly"), max_length=120, blank=True, one_line=True
    )
    message = EncryptedTextField(_("message to the conveners"), blank=True)
    language = LanguageField(_("language"), default="en")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNCONFIRMED
    )
    confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = EncryptedTextField(
        _("reviewed by"),
        max_length=150,
        blank=True,
        help_text=_("A convener's public name or a staff account."),
        one_line=True,
    )

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(status__in=["unconfirmed", "pending"]),
                name="%(app_label)s_%(class)s_one_open_request_per_group",
                violation_error_message=_("This person already asked to join this group."),
            )
        ]

    def __str__(self):
        return f"{self.group} · {self.get_status_display()}"
