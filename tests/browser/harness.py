"""The browser, the local server and the site's pages, shared by the browser tests and by
``make screenshots`` (see ``screenshots.py``).

- Browser: Debian's chromium at ``/usr/bin/chromium``, driven by Playwright; never a
  downloaded browser build.
- Server: Python's ``http.server`` serving a built site on 127.0.0.1, on a port the server
  picks itself (port 0) and reports on its first line of output, so no other process can take
  the port between choosing and binding it. It runs in its own process and is stopped by it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's headless=True plus these: nothing in the browser itself reaches the network.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# Every browser context: a desktop window, the light scheme unless a test says otherwise, and
# no service workers (their requests would bypass the routing that closes the network).
CONTEXT_OPTIONS = {
    "viewport": {"width": 1280, "height": 900},
    "color_scheme": "light",
    "service_workers": "block",
}

# The pages readers meet, by name: paths relative to the site root.
SEED_ARTICLE = "2020-04-03-us-said-to-be-planning-attacks-on-iranian-supported-iraq-militias"
PAGES = {
    "home": "",
    "article": f"articles/{SEED_ARTICLE}/",
    "actor": "actors/popular-mobilization-forces/",
    "topic": "topics/iraqi-sovereignty/",
    "articles-index": "articles/",
    "actors-index": "actors/",
    "topics-index": "topics/",
    "timeline": "timeline/",
    "publications-index": "publications/",
    "authors-index": "authors/",
    "contributing": "contributing/",
}

# The server: a tiny script so it can bind port 0 and print the port it got.
_SERVER = """\
import functools, http.server, sys

class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        # LinkChecker spaces its requests to one host 0.1-0.6 s apart unless the host answers
        # with a "LinkChecker" header; then its maxrequestspersecond applies.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

handler = functools.partial(Handler, directory=sys.argv[1])
with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()
"""


@contextlib.contextmanager
def serve(site: Path, timeout: float = 20.0) -> Iterator[str]:
    """Serve ``site`` over HTTP on 127.0.0.1 in a subprocess; yield its base URL (ending "/")."""
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"{site} holds no built site (no index.html)")
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the site server did not start (exit code {process.poll()})")
        yield f"http://{LOCAL_HOST}:{port}/"
    finally:
        # Stopped by its own process id (its session holds nothing else).
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def launch(playwright):
    """Debian's chromium, headless, with the flags above."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )


def is_local(url: str) -> bool:
    """True for a request that stays on this machine's site server or inside the page."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == LOCAL_HOST


@dataclass
class RequestLog:
    """Every request a browser context made, and those aimed outside 127.0.0.1."""

    urls: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)


def close_network(context, log: RequestLog) -> None:
    """Record every request of ``context`` in ``log``; abort any that would leave 127.0.0.1."""

    def on_request(request) -> None:
        log.urls.append(request.url)
        if not is_local(request.url):
            log.outside.append(request.url)

    def route(route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    def on_websocket(socket) -> None:  # WebSockets bypass routing: record them apart
        log.websockets.append(socket.url)
        if not is_local(socket.url):
            log.outside.append(socket.url)

    def on_page(page) -> None:
        page.on("websocket", on_websocket)

    context.on("request", on_request)
    context.on("page", on_page)
    context.route("**/*", route)
