"""The Weekly's title fetcher must never be a way into the server's own network."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from convoca.publishing import fetch
from convoca.publishing.fetch import FetchFailed, FetchRefused, link_metadata_fetch

PAGE = (
    b"<!doctype html><html><head><title>Ignored when og:title is there</title>"
    b'<meta property="og:title" content="Sanctions kill: a report">'
    b'<meta property="og:site_name" content="The Daily Example">'
    b'<meta name="description" content="What the blockade does to hospitals.">'
    b"</head><body>Hello</body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        _Handler.requests.append(self.path)
        html = [("Content-Type", "text/html; charset=utf-8")]
        if self.path == "/page":
            self._send(200, PAGE, html)
        elif self.path == "/plain-title":
            title = "<title>Año de lucha – informe</title>"  # noqa: RUF001
            self._send(200, title.encode(), html)
        elif self.path.startswith("/to/"):
            self._send(302, headers=[("Location", self.path.removeprefix("/to/"))])
        elif self.path == "/loop":
            self._send(302, headers=[("Location", "/loop")])
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, PAGE, html)
        elif self.path == "/big":
            body = b"<html><head>" + b"<!-- padding -->" * 200_000 + b"<title>Late</title>"
            self._send(200, body, html)
        elif self.path == "/pdf":
            self._send(200, b"%PDF-1.4", [("Content-Type", "application/pdf")])
        else:
            self._send(404, b"no", html)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_allowed(monkeypatch):
    """Treat 127.0.0.1 (the test server) as a public address, and nothing else more."""
    real = fetch.address_is_public
    monkeypatch.setattr(fetch, "address_is_public", lambda a: a == "127.0.0.1" or real(a))


@pytest.fixture
def fake_dns(monkeypatch):
    """Names that resolve the way an attacker would set up their DNS."""
    records = {
        "intranet.example": ["10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
        "mixed.example": ["93.184.216.34", "192.168.1.1"],
        "v6-loopback.example": ["::1"],
    }
    real = fetch.resolve
    monkeypatch.setattr(fetch, "resolve", lambda host, port: records.get(host) or real(host, port))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 written as a number
        "http://100.64.0.1/",  # carrier-grade NAT
    ],
)
def test_loopback_private_and_link_local_addresses_are_refused(url):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://intranet.example/",
        "http://metadata.example/",
        "http://mixed.example/",
        "http://v6-loopback.example/",
    ],
)
def test_a_name_that_resolves_to_a_private_address_is_refused(fake_dns, url):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/"])
def test_only_web_addresses_are_fetched(url):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(url)


def test_the_test_server_itself_is_refused_without_the_test_allowance(server):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(f"{server}/page")
    assert _Handler.requests == []


def test_title_outlet_and_description_are_read_from_a_public_page(server, loopback_allowed):
    found = link_metadata_fetch(f"{server}/page")
    assert found.title == "Sanctions kill: a report"
    assert found.site_name == "The Daily Example"
    assert found.description == "What the blockade does to hospitals."


def test_a_plain_title_in_spanish_is_read(server, loopback_allowed):
    assert link_metadata_fetch(f"{server}/plain-title").title == "Año de lucha – informe"  # noqa: RUF001


def test_a_redirect_to_a_public_page_is_followed(server, loopback_allowed):
    found = link_metadata_fetch(f"{server}/to/{server}/page")
    assert found.title == "Sanctions kill: a report"
    assert found.url == f"{server}/page"


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://127.0.0.2/",
        "http://intranet.example/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(server, loopback_allowed, fake_dns, target):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(f"{server}/to/{target}")
    assert _Handler.requests == [f"/to/{target}"]


def test_endless_redirects_are_refused(server, loopback_allowed):
    with pytest.raises(FetchRefused):
        link_metadata_fetch(f"{server}/loop")
    assert len(_Handler.requests) == fetch.MAX_REDIRECTS + 1


def test_a_slow_page_gives_up_at_the_timeout(server, loopback_allowed):
    started = time.monotonic()
    with pytest.raises(FetchFailed):
        link_metadata_fetch(f"{server}/slow", timeout=0.5)
    assert time.monotonic() - started < 2


def test_no_more_than_the_size_limit_is_read(server, loopback_allowed):
    # The title comes after 3 MB of padding: past the limit, so never seen.
    found = link_metadata_fetch(f"{server}/big", max_bytes=64 * 1024)
    assert found.title == ""


def test_a_file_that_is_not_a_web_page_is_not_parsed(server, loopback_allowed):
    with pytest.raises(FetchFailed):
        link_metadata_fetch(f"{server}/pdf")


def test_an_error_page_is_a_failure_not_a_title(server, loopback_allowed):
    with pytest.raises(FetchFailed):
        link_metadata_fetch(f"{server}/missing")
