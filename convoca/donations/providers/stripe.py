"""Stripe: Checkout (hosted), the customer portal, and signed webhooks, with the official library.

Card data never touches Convoca: the visitor pays on Stripe's page. Our
donation's id travels in the metadata of the checkout session, its payment
and its subscription, so every later event (the invoices of a monthly gift
included) names the donation it belongs to, whatever order events come in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from convoca.donations.providers.base import (
    Change,
    CheckoutStart,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    SignatureInvalid,
)

#: A subscription's status on Stripe, as our monthly donation's status.
_SUBSCRIPTION_STATUS = {
    "active": "active",
    "trialing": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "incomplete": "past_due",
    "paused": "past_due",
    "canceled": "cancelled",
    "incomplete_expired": "cancelled",
}


#: The events Convoca reads, as the webhook endpoint in Stripe's dashboard lists them.
EVENT_TYPES = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "charge.refunded",
]


@cache
def _client(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=20),
    )


def _metadata_donation(obj: dict) -> str:
    return str((obj.get("metadata") or {}).get("donation", ""))


class StripeProvider(PaymentProvider):
    label = _("Stripe")

    def is_configured(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    @property
    def client(self) -> stripe.StripeClient:
        return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)

    def checkout_start(self, *, donation, email, title, success_url, cancel_url) -> CheckoutStart:
        metadata = {"donation": str(donation.pk), "fundraiser": str(donation.fundraiser_id)}
        price_data = {
            "currency": donation.currency.lower(),
            "unit_amount": donation.amount,
            "product_data": {"name": title[:250]},
        }
        params = {
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "customer_email": email,
            "client_reference_id": str(donation.pk),
            "metadata": metadata,
            "locale": donation.language if donation.language in ("en", "es") else "auto",
            # Stripe puts the session id in: the thank-you page looks it up, trusting nothing else.
            "success_url": f"{success_url}?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": cancel_url,
        }
        if donation.is_monthly:
            price_data["recurring"] = {"interval": "month"}
            params["mode"] = "subscription"
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["mode"] = "payment"
            params["submit_type"] = "donate"
            params["payment_intent_data"] = {"metadata": metadata}
        try:
            session = self.client.v1.checkout.sessions.create(
                params, {"idempotency_key": f"convoca-donation-{donation.pk}"}
            )
        except stripe.StripeError as exc:
            raise ProviderError(type(exc).__name__) from exc
        return CheckoutStart(reference=session.id, url=session.url)

    def manage_url(self, *, donation, return_url) -> str:
        try:
            session = self.client.v1.billing_portal.sessions.create(
                {"customer": donation.customer_reference, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            raise ProviderError(type(exc).__name__) from exc
        return session.url

    def event_parse(self, *, body: bytes, headers: dict[str, str]) -> ProviderEvent:
        try:
            # The library checks the HMAC over the raw bytes and the timestamp's age.
            stripe.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
            )
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise SignatureInvalid(str(exc)) from exc
        # Read our own copy of the verified bytes: plain data, no API objects.
        return self._event(json.loads(body))

    def events_list(self, *, since: datetime) -> list[ProviderEvent]:
        # Only the kinds the webhook endpoint is set up for (README), newest first
        # from Stripe; the library follows the pages.
        params = {"created": {"gte": int(since.timestamp())}, "types": EVENT_TYPES, "limit": 100}
        try:
            page = self.client.v1.events.list(params)
            events = [self._event(event.to_dict()) for event in page.auto_paging_iter()]
        except stripe.StripeError as exc:
            raise ProviderError(type(exc).__name__) from exc
        # Oldest first; events of one second keep the order Stripe made them in.
        events.reverse()
        return sorted(events, key=lambda event: event.occurred_at)

    def _event(self, event: dict) -> ProviderEvent:
        """An event as the webhook or the API gives it, read the same way."""
        obj = event.get("data", {}).get("object", {})
        return ProviderEvent(
            id=str(event["id"]),
            kind=str(event.get("type", "")),
            occurred_at=datetime.fromtimestamp(int(event.get("created", 0)), tz=UTC),
            change=self._change(event.get("type", ""), obj),
        )

    def _change(self, kind: str, obj: dict) -> Change | None:
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            donation = _metadata_donation(obj) or str(obj.get("client_reference_id") or "")
            if obj.get("mode") == "subscription":
                return Change(
                    type="checkout_completed",
                    donation=donation,
                    checkout=obj.get("id", ""),
                    customer=obj.get("customer") or "",
                    subscription=obj.get("subscription") or "",
                )
            if obj.get("payment_status") != "paid":
                return None  # a bank debit still on its way: async_payment_succeeded follows
            payment_intent = obj.get("payment_intent") or ""
            return Change(
                type="payment_succeeded",
                donation=donation,
                checkout=obj.get("id", ""),
                reference=payment_intent or obj.get("id", ""),
                payment_intent=payment_intent,
                customer=obj.get("customer") or "",
                amount=int(obj.get("amount_total") or 0),
            )
        if kind == "checkout.session.async_payment_failed":
            return Change(type="checkout_failed", donation=_metadata_donation(obj))
        if kind == "checkout.session.expired":
            return Change(type="checkout_expired", donation=_metadata_donation(obj))
        if kind in ("invoice.paid", "invoice.payment_failed"):
            details = (obj.get("parent") or {}).get("subscription_details") or {}
            donation = _metadata_donation(details)
            if not donation:
                return None  # an invoice that is not one of our monthly gifts
            subscription = details.get("subscription") or ""
            if kind == "invoice.payment_failed":
                return Change(
                    type="monthly_payment_failed", donation=donation, subscription=subscription
                )
            if not obj.get("amount_paid"):
                return None
            return Change(
                type="payment_succeeded",
                donation=donation,
                reference=obj["id"],
                payment_intent=self._invoice_payment_intent(obj),
                customer=obj.get("customer") or "",
                subscription=subscription,
                amount=int(obj["amount_paid"]),
            )
        if kind in ("customer.subscription.updated", "customer.subscription.deleted"):
            status = "canceled" if kind.endswith("deleted") else obj.get("status", "")
            return Change(
                type="subscription_status",
                donation=_metadata_donation(obj),
                subscription=obj.get("id", ""),
                status=_SUBSCRIPTION_STATUS.get(status, "past_due"),
            )
        if kind == "charge.refunded":
            if not obj.get("payment_intent"):
                return None
            return Change(
                type="refunded",
                payment_intent=obj["payment_intent"],
                amount=int(obj.get("amount_refunded") or 0),
            )
        return None

    def _invoice_payment_intent(self, invoice: dict) -> str:
        """The payment intent that paid an invoice, by which a refund of it will be named."""
        payments = (invoice.get("payments") or {}).get("data")
        if payments is None:
            try:
                payments = self.client.v1.invoice_payments.list(
                    {"invoice": invoice["id"]}
                ).to_dict()["data"]
            except stripe.StripeError as exc:
                raise ProviderError(type(exc).__name__) from exc
        for item in payments:
            payment = item.get("payment") or {}
            if item.get("status", "paid") == "paid" and payment.get("payment_intent"):
                return str(payment["payment_intent"])
        return ""
