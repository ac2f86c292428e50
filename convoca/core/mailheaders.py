"""Email headers that receiving programs read raw, written as they expect them.

Python's email policies fold a long unstructured header by turning it into
RFC 2047 encoded-words (``=?utf-8?q?=3Chttp...?=``) once a URL does not fit
in 78 characters. That is legal for text meant for people, but
``List-Unsubscribe`` is read by programs (Gmail, Yahoo) that take it raw: an
encoded URL is no URL to them, and one-click unsubscribe stops working.
"""

from __future__ import annotations

import re

# Whatever could end a header line or hide in one: a URL never contains these.
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>,\u0085\u2028\u2029]")


class UrlListHeader(str):
    """A header listing ``<url>`` items, folded only between them, never encoded.

    It is the header's value for whoever reads it (``str``), and Python's
    email policies (``email.policy.default``, ``SMTP``; Django's messages use
    them) call its ``fold`` instead of their own, as they do for the header
    objects they parse. Each item stays whole on its line: RFC 5322 allows
    lines of up to 998 characters, and a URL is far shorter.
    """

    name: str
    urls: tuple[str, ...]

    def __new__(cls, name: str, urls: list[str] | tuple[str, ...]) -> UrlListHeader:
        for url in urls:
            if not url or _UNSAFE.search(url) or not url.isascii():
                raise ValueError(f"not a URL fit for the {name} header: {url!r}")
        value = super().__new__(cls, ", ".join(f"<{url}>" for url in urls))
        value.name = name
        value.urls = tuple(urls)
        return value

    def fold(self, *, policy) -> str:
        """``Name: <a>,`` then `` <b>`` on the next line, with the policy's line ends."""
        linesep = policy.linesep
        items = f",{linesep} ".join(f"<{url}>" for url in self.urls)
        return f"{self.name}: {items}{linesep}"

    def __reduce__(self):
        return (type(self), (self.name, self.urls))


def list_unsubscribe_header(*, url: str, mailto: str = "") -> UrlListHeader:
    """The ``List-Unsubscribe`` value: the one-click URL, then a ``mailto:`` if given.

    Send it with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``
    (RFC 8058); the URL must answer a POST with that body.
    """
    return UrlListHeader("List-Unsubscribe", [url, f"mailto:{mailto}"] if mailto else [url])


def header_restore(name: str, value: str) -> str:
    """A header's value read back from storage (the outbox), as the type that writes it right.

    JSON keeps a ``UrlListHeader`` as a plain string, which Python's
    policies would fold into encoded-words again.
    """
    if name.lower() == "list-unsubscribe" and not isinstance(value, UrlListHeader):
        urls = re.findall(r"<([^<>]+)>", value)
        if urls:
            return UrlListHeader("List-Unsubscribe", urls)
    return value
