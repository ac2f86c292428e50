"""The interface every payment provider implements, and the changes it reports."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from convoca.donations.models import Donation


class ProviderError(Exception):
    """The provider could not be reached or refused a request; trying again later may work."""


class SignatureInvalid(Exception):
    """A webhook whose signature or timestamp does not verify: not from the provider."""


@dataclass(frozen=True)
class CheckoutStart:
    """Where to send the visitor to pay, and the provider's name for that checkout."""

    reference: str
    url: str


@dataclass(frozen=True)
class Change:
    """What one provider event means for our donations, in no provider's words.

    ``type`` is one of:

    - ``payment_succeeded``: money arrived (``reference`` names the payment,
      ``amount``, ``payment_intent`` if the provider refunds by another name);
      for a monthly gift also ``subscription`` and ``customer``;
    - ``checkout_completed``: a monthly gift's checkout finished and its
      subscription exists (``subscription``, ``customer``), money follows;
    - ``checkout_failed``: the visitor's payment did not go through;
    - ``checkout_expired``: the visitor left without paying;
    - ``monthly_payment_failed``: a month's payment failed;
    - ``subscription_status``: a monthly gift became ``status`` (``active``,
      ``past_due``, ``cancelled``);
    - ``refunded``: the payment ``payment_intent`` has now ``amount`` refunded
      in all (a total, not an increment, so order and repetition do not matter).
    """

    type: str
    donation: str = ""
    reference: str = ""
    payment_intent: str = ""
    customer: str = ""
    subscription: str = ""
    checkout: str = ""
    amount: int = 0
    status: str = ""

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event: its id (for deduplication), when it was made, its change."""

    id: str
    kind: str
    occurred_at: datetime
    change: Change | None = None
    extra: dict = field(default_factory=dict)


class PaymentProvider(ABC):
    """A payment provider with a hosted checkout page; a subclass must implement every method."""

    #: Shown to organisers in the admin.
    label = ""

    def __init__(self, *, name: str):
        self.name = name

    @abstractmethod
    def is_configured(self) -> bool:
        """Whether this deployment has the keys to take payments through this provider."""

    @abstractmethod
    def checkout_start(
        self, *, donation: Donation, email: str, title: str, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        """Open a hosted checkout for ``donation``. Raises :class:`ProviderError`."""

    @abstractmethod
    def manage_url(self, *, donation: Donation, return_url: str) -> str:
        """A page where a monthly donor manages or cancels their gift. Raises ProviderError."""

    def events_list(self, *, since: datetime) -> list[ProviderEvent] | None:
        """The provider's events made at or after ``since``, oldest first, read through its API.

        For the daily reconciliation, which applies any event a webhook
        missed. None: this provider cannot list its events. Raises
        :class:`ProviderError` when the provider cannot be reached.
        """
        return None

    @abstractmethod
    def event_parse(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        """Verify a webhook's signature over its raw body and read it.

        Raises :class:`SignatureInvalid` for anything not provably from the
        provider, :class:`ProviderError` if reading it needs the provider and
        it cannot be reached.
        """
