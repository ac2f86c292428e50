"""A local stand-in for Stripe: the parts of its API Convoca calls, its hosted pages, its webhooks.

Tests stop at the network boundary: the official ``stripe`` library talks
HTTP to this server on 127.0.0.1 exactly as it would to api.stripe.com
(form-encoded requests with a bearer key, JSON answers shaped as Stripe
documents them), and the events it sends are signed as Stripe signs them:
``Stripe-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">``.

It also serves a checkout page a browser can pay on: paying completes the
session, sends the signed events to the webhook address (like Stripe does)
and redirects to the session's success URL.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"


def form_decode(body: str) -> dict:
    """``a[b][0][c]=1`` as ``{"a": {"b": [{"c": "1"}]}}``, as Stripe reads its requests."""
    result: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def lists(node):
        if isinstance(node, dict):
            if node and all(k.isdigit() for k in node):
                return [lists(node[k]) for k in sorted(node, key=int)]
            return {k: lists(v) for k, v in node.items()}
        return node

    return lists(result)


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class StripeStandIn:
    """A threaded HTTP server answering as Stripe's API does, for one secret key."""

    def __init__(self, *, api_key: str, webhook_secret: str):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = ""
        self.sessions: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.deliveries: list[tuple[str, int]] = []
        #: Answer the next API call with this HTTP status (an outage, a refusal).
        self.fail_with: int | None = None
        #: Every API call answers 503 while True (an outage that outlasts retries).
        self.down = False
        #: Every event Stripe made, as ``GET /v1/events`` lists them (delivered or not).
        self.events: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StripeStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # --- The API ------------------------------------------------------------------------

    def _session_create(self, params: dict) -> dict:
        session_id = _id("cs")
        line = params["line_items"][0]
        price = line["price_data"]
        amount = int(price["unit_amount"]) * int(line.get("quantity", 1))
        mode = params["mode"]
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": int(time.time()),
            "currency": price["currency"],
            "customer": None,
            "customer_email": params.get("customer_email"),
            "expires_at": int(time.time()) + 86400,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": params.get("metadata", {}),
            "mode": mode,
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": params.get("submit_type"),
            "subscription": None,
            "success_url": params.get("success_url"),
            "url": f"{self.url}/c/pay/{session_id}",
            # Kept for the stand-in's own use, as Stripe keeps them on the objects it makes.
            "_payment_intent_metadata": (params.get("payment_intent_data") or {}).get(
                "metadata", {}
            ),
            "_subscription_metadata": (params.get("subscription_data") or {}).get("metadata", {}),
            "_recurring": price.get("recurring"),
        }
        with self._lock:
            self.sessions[session_id] = session
        return session

    @staticmethod
    def public(obj: dict) -> dict:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", _id("req"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _html(self, status: int, text: str) -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _redirect(self, location: str) -> None:
                self.send_response(303)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _api_allowed(self, params: dict) -> bool:
                standin.requests.append((self.command, self.path, params))
                if self.headers.get("Authorization") != f"Bearer {standin.api_key}":
                    self._json(
                        401,
                        {
                            "error": {
                                "type": "invalid_request_error",
                                "message": "Invalid API Key provided.",
                            }
                        },
                    )
                    return False
                if standin.down:
                    self._json(503, {"error": {"type": "api_error", "message": "Unavailable."}})
                    return False
                if standin.fail_with:
                    status, standin.fail_with = standin.fail_with, None
                    self._json(
                        status,
                        {"error": {"type": "api_error", "message": "Something went wrong."}},
                    )
                    return False
                return True

            def do_GET(self):
                path = urlsplit(self.path)
                query = dict(parse_qsl(path.query))
                if path.path.startswith("/c/pay/"):
                    session = standin.sessions.get(path.path.rsplit("/", 1)[-1])
                    if session is None:
                        return self._html(404, "<h1>Not found</h1>")
                    return self._html(200, standin.checkout_page(session))
                if path.path.startswith("/p/session/"):
                    return self._html(
                        200, "<!doctype html><title>Portal</title><h1>Manage your subscription</h1>"
                    )
                if not self._api_allowed(query):
                    return None
                if path.path == "/v1/events":
                    return self._json(200, standin.events_page(path.query))
                if path.path.startswith("/v1/checkout/sessions/"):
                    session = standin.sessions.get(path.path.rsplit("/", 1)[-1])
                    if session is None:
                        return self._json(
                            404,
                            {
                                "error": {
                                    "type": "invalid_request_error",
                                    "code": "resource_missing",
                                    "message": "No such checkout.session",
                                }
                            },
                        )
                    return self._json(200, standin.public(session))
                if path.path == "/v1/invoice_payments":
                    invoice = standin.invoices.get(query.get("invoice", ""))
                    data = []
                    if invoice:
                        data.append(
                            {
                                "id": _id("inpay"),
                                "object": "invoice_payment",
                                "invoice": invoice["id"],
                                "amount_paid": invoice["amount_paid"],
                                "is_default": True,
                                "status": "paid",
                                "payment": {
                                    "type": "payment_intent",
                                    "payment_intent": invoice["_payment_intent"],
                                },
                            }
                        )
                    return self._json(
                        200,
                        {
                            "object": "list",
                            "data": data,
                            "has_more": False,
                            "url": "/v1/invoice_payments",
                        },
                    )
                return self._json(404, {"error": {"type": "invalid_request_error"}})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                params = form_decode(raw)
                path = urlsplit(self.path).path
                if path.startswith("/c/pay/"):
                    session = standin.sessions.get(path.rsplit("/", 1)[-1])
                    if session is None:
                        return self._html(404, "<h1>Not found</h1>")
                    standin.pay(session)
                    return self._redirect(
                        session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                    )
                if not self._api_allowed(params):
                    return None
                if path == "/v1/checkout/sessions":
                    return self._json(200, standin.public(standin._session_create(params)))
                if path == "/v1/billing_portal/sessions":
                    portal_id = _id("bps")
                    return self._json(
                        200,
                        {
                            "id": portal_id,
                            "object": "billing_portal.session",
                            "created": int(time.time()),
                            "customer": params.get("customer"),
                            "livemode": False,
                            "return_url": params.get("return_url"),
                            "url": f"{standin.url}/p/session/{portal_id}",
                        },
                    )
                return self._json(404, {"error": {"type": "invalid_request_error"}})

        return Handler

    def checkout_page(self, session: dict) -> str:
        amount = session["amount_total"] / 100
        monthly = " per month" if session["mode"] == "subscription" else ""
        return (
            "<!doctype html><html lang=en><title>Stripe Checkout (test)</title>"
            f"<h1>Pay {amount:.2f} {session['currency'].upper()}{monthly}</h1>"
            f"<p>{html.escape(session.get('customer_email') or '')}</p>"
            f'<form method="post" action="/c/pay/{session["id"]}">'
            '<button type="submit">Pay</button></form></html>'
        )

    # --- Events, as Stripe builds and signs them ------------------------------------------

    def event(self, kind: str, obj: dict, *, created: int | None = None) -> dict:
        """An event as Stripe makes it, kept in the account's list of events."""
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()) if created is None else created,
            "data": {"object": self.public(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        with self._lock:
            self.events.append(event)
        return event

    def events_page(self, query: str) -> dict:
        """``GET /v1/events``: newest first, ``created[gte]``, ``types[]``, ``limit``, pages."""
        params = form_decode(query)
        created = params.get("created") or {}
        types = params.get("types") or []
        limit = int(params.get("limit") or 10)
        with self._lock:
            # Newest first; Stripe breaks ties in the same second by the order they were made.
            events = list(reversed(self.events))
        events = [
            e
            for e in events
            if e["created"] >= int(created.get("gte", 0)) and (not types or e["type"] in types)
        ]
        if after := params.get("starting_after"):
            ids = [e["id"] for e in events]
            events = events[ids.index(after) + 1 :] if after in ids else []
        return {
            "object": "list",
            "data": events[:limit],
            "has_more": len(events) > limit,
            "url": "/v1/events",
        }

    def signed(self, event: dict, *, secret: str | None = None, timestamp: int | None = None):
        """The body and headers of a webhook delivery of ``event``."""
        body = json.dumps(event).encode()
        return body, {"Stripe-Signature": sign(body, secret or self.webhook_secret, timestamp)}

    def complete(self, session: dict) -> list[dict]:
        """What Stripe sends when a session is paid: the events, in Stripe's usual order."""
        session["status"] = "complete"
        session["payment_status"] = "paid"
        session["customer"] = session["customer"] or _id("cus")
        if session["mode"] == "payment":
            session["payment_intent"] = _id("pi")
            return [self.event("checkout.session.completed", session)]
        session["subscription"] = _id("sub")
        invoice = self.invoice(session)
        return [
            self.event("checkout.session.completed", session),
            self.event("invoice.paid", invoice),
        ]

    def invoice(self, session: dict, *, paid: bool = True) -> dict:
        """A month's invoice of a subscription started by ``session``."""
        invoice = {
            "id": _id("in"),
            "object": "invoice",
            "amount_due": session["amount_total"],
            "amount_paid": session["amount_total"] if paid else 0,
            "currency": session["currency"],
            "customer": session["customer"],
            "status": "paid" if paid else "open",
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": session["_subscription_metadata"],
                    "subscription": session["subscription"],
                },
            },
            "_payment_intent": _id("pi"),
        }
        if paid:
            with self._lock:
                self.invoices[invoice["id"]] = invoice
        return invoice

    def subscription(self, session: dict, status: str) -> dict:
        return {
            "id": session["subscription"],
            "object": "subscription",
            "customer": session["customer"],
            "metadata": session["_subscription_metadata"],
            "status": status,
        }

    def charge_refunded(self, *, payment_intent: str, amount: int, refunded: int) -> dict:
        return {
            "id": _id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": refunded,
            "paid": True,
            "payment_intent": payment_intent,
            "refunded": refunded >= amount,
            "status": "succeeded",
        }

    def pay(self, session: dict) -> None:
        """What happens when the browser pays: send the events to the webhook, signed."""
        for event in self.complete(session):
            self.deliver(event)

    def deliver(self, event: dict) -> int:
        body, headers = self.signed(event)
        request = urllib.request.Request(
            self.webhook_url,
            data=body,
            headers={**headers, "Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.deliveries.append((event["type"], status))
        return status
