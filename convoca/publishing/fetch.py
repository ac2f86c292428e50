"""Fetch a page's title and description to pre-fill a Weekly link, without SSRF.

Organisers paste addresses from anywhere; the server must not become a way
to reach what only it can reach (the database port, a cloud metadata
service, the admin of a router). So the host name is resolved here, every
address it resolves to must be public, and the connection is made to that
checked address (not resolved again, so DNS rebinding cannot swap it).
Each redirect is checked the same way. The whole fetch has a deadline and
reads at most ``max_bytes``.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 512 * 1024
USER_AGENT = "Convoca link preview (+https://github.com/convoca)"


class FetchRefused(Exception):
    """The address is not one we fetch (scheme, private address, too many redirects)."""


class FetchFailed(Exception):
    """The page could not be fetched (timeout, connection, HTTP error, not HTML)."""


@dataclass(frozen=True)
class LinkMetadata:
    url: str
    title: str = ""
    description: str = ""
    site_name: str = ""


def address_is_public(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local..."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a seam for tests)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve {host}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def _checked_address(host: str, port: int) -> str:
    addresses = resolve(host, port)
    if not addresses:
        raise FetchFailed(f"cannot resolve {host}")
    refused = [a for a in addresses if not address_is_public(a)]
    if refused:
        # One private address among public ones is refused too: a client
        # picking any of them could be sent inside.
        raise FetchRefused(f"{host} resolves to a non-public address ({refused[0]})")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # Certificate checked against the name, though we connected to the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def pinned_connection(url: str, *, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to ``url``'s host at an address checked to be public, and the path to ask.

    Raises FetchRefused for an address we must not reach (scheme, password,
    a private, loopback or link-local address), FetchFailed when the name
    does not resolve. Other apps that call out (the API's webhooks) use it,
    so every outgoing request follows the same rules.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https addresses are fetched, not {parts.scheme!r}")
    if not parts.hostname or parts.username or parts.password:
        raise FetchRefused("the address has no host, or carries a password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused("the port is not a number") from exc
    address = _checked_address(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _get(url: str, *, deadline: float, max_bytes: int) -> tuple[int, dict, bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("timed out")
    connection, path = pinned_connection(url, timeout=remaining)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "identity",
            },
        )
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        body = b""
        if 200 <= response.status < 300:
            while len(body) <= max_bytes:
                if time.monotonic() > deadline:
                    raise FetchFailed("timed out")
                chunk = response.read1(min(16384, max_bytes + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            body = body[:max_bytes]
        return response.status, headers, body
    except TimeoutError as exc:
        raise FetchFailed("timed out") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchFailed(f"connection failed: {exc}") from exc
    finally:
        connection.close()


class _MetaParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"].strip()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"'")
    return "utf-8"


def link_metadata_fetch(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES
) -> LinkMetadata:
    """Fetch ``url`` (following up to 5 redirects, each checked) and read its title and description.

    Raises FetchRefused for an address we must not fetch, FetchFailed when
    the page cannot be had within ``timeout`` seconds. Reads at most
    ``max_bytes`` of the page; what is past that is not looked at.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        status, headers, body = _get(current, deadline=deadline, max_bytes=max_bytes)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            current = urljoin(current, headers["location"])
            continue
        if not 200 <= status < 300:
            raise FetchFailed(f"the page answered {status}")
        content_type = headers.get("content-type", "")
        if "html" not in content_type.lower():
            raise FetchFailed("the address is not a web page")
        try:
            text = body.decode(_charset(content_type), errors="replace")
        except LookupError:
            text = body.decode("utf-8", errors="replace")
        parser = _MetaParser()
        parser.feed(text)
        meta = parser.meta
        return LinkMetadata(
            url=current,
            title=" ".join((meta.get("og:title") or parser.title).split())[:300],
            description=" ".join(
                (meta.get("og:description") or meta.get("description") or "").split()
            )[:300],
            site_name=" ".join(meta.get("og:site_name", "").split())[:200],
        )
    raise FetchRefused("too many redirects")
