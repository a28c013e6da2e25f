"""Serve recorded terms pages from a local HTTP server, for the offline demo and the tests.

Recorded versions (Open Terms Archive Markdown, in ``data/recorded/<service>/<type>/<date>.md``) are
rendered into full HTML pages around a ``<main>`` element, with page furniture that changes on every
request (navigation, a cookie banner, a footer with a timestamp and a token), just like live pages.
A :class:`ReplayServer` serves one chosen version per document and can be stepped forward in time.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

from tosmonitor.resources import data_dir

PAGE_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>window.__token = "{token}";</script></head>
<body>
<nav class="site-nav"><a href="/">Home</a> <a href="/help?session={token}">Help</a> <span>Visit {visit}</span></nav>
<div class="cookie-banner">We use cookies. <button>Accept all</button> (shown {now})</div>
<main><article class="terms">
{body}
</article></main>
<footer>Page generated {now} · request {visit} · build {token}</footer>
</body></html>
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def markdown_body(markdown_text: str) -> str:
    """The HTML of a recorded Markdown version (what goes inside ``<article>``)."""
    import markdown

    return markdown.markdown(markdown_text, extensions=["tables", "sane_lists"])


def wrap_page(body: str, title: str, visit: int) -> bytes:
    """A full page around ``body``, with noise outside ``<main>`` that changes on every request."""
    now = datetime.now(UTC).isoformat()
    token = f"{visit * 7919 % 100003:06d}"
    return PAGE_TEMPLATE.format(title=html.escape(title), body=body, now=now, visit=visit, token=token).encode()


def render_page(markdown_text: str, title: str, visit: int) -> bytes:
    """HTML page for a recorded Markdown version, with per-request noise outside ``<main>``."""
    return wrap_page(markdown_body(markdown_text), title, visit)


def write_declarations(
    documents: Sequence[RecordedDocument], url_of: Callable[[RecordedDocument], str], directory: Path
) -> Path:
    """Declarations (OTA format) for ``documents`` served at ``url_of(document)``, one file per service."""
    directory.mkdir(parents=True, exist_ok=True)
    services: dict[str, dict[str, object]] = {}
    for document in documents:
        services.setdefault(document.service_id, {})[document.doc_type] = {
            "fetch": url_of(document),
            "select": ["main article"],
            "remove": [".share-buttons"],
        }
    for service_id, terms in services.items():
        data = {"name": service_id.capitalize(), "terms": terms}
        (directory / f"{service_id}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return directory


@dataclass(frozen=True)
class RecordedDocument:
    service_id: str
    doc_type: str
    versions: tuple[Path, ...]

    @property
    def path(self) -> str:
        return f"/{self.service_id}/{slug(self.doc_type)}"


def recorded_documents(root: Path | None = None) -> list[RecordedDocument]:
    """Every recorded document under ``data/recorded`` (or ``root``), versions oldest first."""
    base = root or data_dir() / "recorded"
    documents = []
    for service_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for type_dir in sorted(p for p in service_dir.iterdir() if p.is_dir()):
            versions = tuple(sorted(type_dir.glob("*.md")))
            if versions:
                documents.append(RecordedDocument(service_dir.name, type_dir.name, versions))
    return documents


Responder = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 that serves chosen recorded versions and custom routes."""

    documents: list[RecordedDocument] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    routes: dict[str, Responder] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._visits = count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        for document in self.documents:
            self.positions.setdefault(document.path, 0)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def show(self, document: RecordedDocument, index: int) -> None:
        """Serve version ``index`` (0-based) of ``document`` from now on."""
        self.positions[document.path] = index

    def step(self) -> list[RecordedDocument]:
        """Move every document to its next recorded version; return those that moved."""
        moved = []
        for document in self.documents:
            if self.positions[document.path] + 1 < len(document.versions):
                self.positions[document.path] += 1
                moved.append(document)
        return moved

    def write_declarations(self, directory: Path) -> Path:
        """Declarations (OTA format) pointing at this server, one file per recorded service."""
        return write_declarations(self.documents, lambda document: self.url(document.path), directory)

    def _serve_document(self, handler: BaseHTTPRequestHandler, document: RecordedDocument) -> None:
        version = document.versions[self.positions[document.path]]
        body = render_page(
            version.read_text(encoding="utf-8"), f"{document.service_id} {document.doc_type}", next(self._visits)
        )
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server._lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                if path in server.routes:
                    server.routes[path](self)
                    return
                for document in server.documents:
                    if document.path == path:
                        server._serve_document(self, document)
                        return
                self.send_error(404)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
