"""Backfill history from an Open Terms Archive (OTA) versions repository.

An OTA versions repository is a git repository laid out ``<Service name>/<Terms type>.md``: each commit
records one version of one document, and its author date is the time OTA's engine fetched the page.
Each commit becomes a tosmonitor version with that date (``source="import"``) and, from the second on,
a change against the one before, tagged like any crawled change.

Technical upgrades are kept and shown but never alerted (``technical=True``):

- commits whose message starts with "Apply technical or declaration upgrade" or "Refilter" (OTA changed
  its selectors, filters or engine, not the service its terms);
- versions extracted from the same snapshot as the previous version (OTA's commit message names the
  snapshot), i.e. a re-extraction of the same page.

A commit whose text is the same as the previous commit's after :func:`normalise_markdown` brings no new
text and adds nothing (counted as a re-extraction).  Re-importing is idempotent: a version whose text
hash the document already has is skipped, and versions dated before the document's newest version are
skipped (history is appended in date order, so importing then crawling continues one history).

Only plain ``git`` subprocess calls are used (``git log``, ``git ls-tree``, ``git cat-file --batch``);
bare and non-bare repositories both work.  An optional OTA snapshots repository (same layout, raw pages
such as ``<Service>/<Type>.html``) gives each imported version its raw page as a snapshot.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tosmonitor.extract import normalise_markdown
from tosmonitor.recording import add_version
from tosmonitor.store import repository, transaction
from tosmonitor.store.models import Document, Service

TECHNICAL_PREFIXES = ("Apply technical or declaration upgrade", "Refilter")
SNAPSHOT_REF = re.compile(r"snapshots?(?:/commit/|@)([0-9a-f]{7,40})", re.IGNORECASE)
SNAPSHOT_TOLERANCE = timedelta(minutes=10)
MEDIA_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
}
FIELD, RECORD = "\x1f", "\x1e"


class OTAImportError(RuntimeError):
    """The repository cannot be imported; the message says which path or service and why."""


@dataclass(frozen=True)
class OTACommit:
    sha: str
    authored_at: datetime
    subject: str
    body: str

    @property
    def technical(self) -> bool:
        return self.subject.startswith(TECHNICAL_PREFIXES)

    @property
    def snapshot_ref(self) -> str | None:
        match = SNAPSHOT_REF.search(self.body) or SNAPSHOT_REF.search(self.subject)
        return match.group(1).lower() if match else None


@dataclass
class DocumentImport:
    """What the import did for one document."""

    service_id: str
    doc_type: str
    ota_path: str
    commits: int = 0
    imported: int = 0
    technical: int = 0
    snapshots: int = 0
    already_present: int = 0
    reextracted: int = 0
    older_than_history: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def line(self) -> str:
        span = f"{self.first:%Y-%m-%d} … {self.last:%Y-%m-%d}" if self.first and self.last else "nothing new"
        parts = [f"{self.imported} imported ({self.technical} technical upgrades)"]
        if self.snapshots:
            parts.append(f"{self.snapshots} with raw snapshot")
        if self.already_present:
            parts.append(f"{self.already_present} already present")
        if self.reextracted:
            parts.append(f"{self.reextracted} same text after normalising")
        if self.older_than_history:
            parts.append(f"{self.older_than_history} older than the existing history")
        return f"{self.service_id} / {self.doc_type}: {self.commits} commits, " + ", ".join(parts) + f"; {span}"


@dataclass
class OTAImportReport:
    documents: list[DocumentImport] = field(default_factory=list)
    unmapped_services: list[str] = field(default_factory=list)
    undeclared_documents: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(d.imported for d in self.documents)

    def lines(self) -> list[str]:
        lines = [d.line() for d in self.documents]
        if self.undeclared_documents:
            lines.append(f"Not declared here, skipped: {', '.join(self.undeclared_documents)}")
        if self.unmapped_services:
            shown = ", ".join(self.unmapped_services[:10])
            more = f" and {len(self.unmapped_services) - 10} more" if len(self.unmapped_services) > 10 else ""
            lines.append(f"OTA services with no declared service here, skipped: {shown}{more}")
        lines.append(f"{self.imported} versions imported.")
        return lines


class GitRepository:
    """A local git repository read with plain ``git`` subprocess calls."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise OTAImportError(f"{self.path}: no such directory")
        try:
            self.run("rev-parse", "--git-dir")
            self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except OTAImportError:
            raise OTAImportError(f"{self.path}: not a git repository with commits") from None

    def run(self, *args: str, input: bytes | None = None) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(self.path), *args], input=input, capture_output=True, check=False)
        except FileNotFoundError:
            raise OTAImportError("git is not installed") from None
        if done.returncode != 0:
            raise OTAImportError(
                f"{self.path}: git {' '.join(args[:2])} failed: {done.stderr.decode(errors='replace').strip()}"
            )
        return done.stdout

    def files(self) -> list[str]:
        """Paths of the files in HEAD."""
        out = self.run("ls-tree", "-r", "-z", "--name-only", "HEAD")
        return [p for p in out.decode("utf-8").split("\0") if p]

    def commits(self, path: str) -> list[OTACommit]:
        """Commits that touched ``path``, oldest author date first (ties keep git's order)."""
        out = self.run("log", f"--format=%H{FIELD}%aI{FIELD}%s{FIELD}%b{RECORD}", "HEAD", "--", path)
        commits = []
        for record in out.decode("utf-8", "replace").split(RECORD):
            record = record.strip("\n")
            if not record:
                continue
            sha, authored, subject, body = record.split(FIELD, 3)
            commits.append(OTACommit(sha, datetime.fromisoformat(authored), subject, body))
        commits.reverse()
        return sorted(commits, key=lambda c: c.authored_at)

    def blobs(self, specs: Sequence[str]) -> list[bytes | None]:
        """Contents of ``<commit>:<path>`` specs in one ``git cat-file --batch`` call (None when missing)."""
        if not specs:
            return []
        out = self.run("cat-file", "--batch", input="".join(f"{s}\n" for s in specs).encode("utf-8"))
        blobs: list[bytes | None] = []
        position = 0
        for _ in specs:
            end = out.index(b"\n", position)
            header = out[position:end].decode("utf-8", "replace")
            position = end + 1
            if header.endswith(" missing") or header.endswith(" ambiguous"):
                blobs.append(None)
                continue
            size = int(header.rsplit(" ", 1)[1])
            blobs.append(out[position : position + size])
            position += size + 1
        return blobs


def ota_documents(repo: GitRepository) -> list[tuple[str, str, str]]:
    """``(OTA service name, terms type, path)`` of every ``<Service>/<Type>.md`` file in HEAD."""
    found = []
    for path in repo.files():
        parts = PurePosixPath(path)
        if len(parts.parts) == 2 and parts.suffix == ".md" and not parts.parts[0].startswith("."):
            found.append((parts.parts[0], parts.stem, path))
    return sorted(found)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def map_services(ota_names: Iterable[str], services: Iterable[Service]) -> dict[str, str]:
    """OTA service name -> our service id: by id or declared name (case-insensitive, punctuation ignored),
    by a name in parentheses ("X (Twitter)"), or by the name without its domain ("WordPress.com")."""
    index: dict[str, str] = {}
    for service in services:
        keys = {_key(service.id), _key(service.name)}
        keys.update(_key(inner) for inner in re.findall(r"\(([^)]*)\)", service.name))
        keys.add(_key(re.sub(r"\s*\([^)]*\)", "", service.name)))
        for key in keys:
            if key:
                index.setdefault(key, service.id)
    mapping = {}
    for name in ota_names:
        for candidate in (name, name.split(".")[0], re.sub(r"\s*\([^)]*\)", "", name)):
            service_id = index.get(_key(candidate))
            if service_id:
                mapping[name] = service_id
                break
    return mapping


def import_ota(
    engine: Engine,
    path: Path,
    *,
    service: str | None = None,
    doc_type: str | None = None,
    snapshots: Path | None = None,
) -> OTAImportReport:
    """Import the history of every document of ``path`` that maps to a declared service and document."""
    from tosmonitor.dates import extract_dates

    repo = GitRepository(path)
    snapshot_repo = GitRepository(snapshots) if snapshots is not None else None
    snapshot_files = _snapshot_files(snapshot_repo) if snapshot_repo else {}
    report = OTAImportReport()
    entries = ota_documents(repo)
    if not entries:
        raise OTAImportError(f"{path}: no <Service>/<Type>.md files in HEAD; is this an OTA versions repository?")
    with transaction(engine) as session:
        all_services = repository.list_services(session)
        if service is not None and all(s.id != service for s in all_services):
            known = ", ".join(s.id for s in all_services)
            raise OTAImportError(f"unknown service {service!r}; known: {known or '(none: run tosmonitor init)'}")
        mapping = map_services({name for name, _, _ in entries}, all_services)
    report.unmapped_services = sorted({name for name, _, _ in entries if name not in mapping})
    selected = [
        (mapping[name], t, p)
        for name, t, p in entries
        if name in mapping and (service is None or mapping[name] == service) and (doc_type is None or t == doc_type)
    ]
    if service is not None:
        report.unmapped_services = []
        if not selected:
            raise OTAImportError(
                f"{path}: no document of service {service!r}"
                + (f" of type {doc_type!r}" if doc_type else "")
                + " in the repository"
            )
    for service_id, terms_type, ota_path in selected:
        with transaction(engine) as session:
            document = repository.find_document(session, service_id, terms_type)
            if document is None:
                report.undeclared_documents.append(f"{service_id}/{terms_type}")
                continue
            result = _import_document(
                session,
                repo,
                document,
                ota_path,
                snapshot_repo,
                snapshot_files.get(str(PurePosixPath(ota_path).with_suffix(""))),
                extract_dates,
            )
            report.documents.append(result)
    return report


def _snapshot_files(repo: GitRepository) -> dict[str, str]:
    """``<Service>/<Type>`` -> snapshot path in HEAD (first page only for multi-page documents)."""
    files: dict[str, str] = {}
    for path in sorted(repo.files()):
        parts = PurePosixPath(path)
        if len(parts.parts) == 2 and parts.suffix != ".md" and not parts.parts[0].startswith("."):
            files.setdefault(str(parts.with_suffix("")), path)
    return files


def _import_document(
    session: Session,
    repo: GitRepository,
    document: Document,
    ota_path: str,
    snapshot_repo: GitRepository | None,
    snapshot_path: str | None,
    extract_dates,
) -> DocumentImport:  # type: ignore[no-untyped-def]
    result = DocumentImport(document.service_id, document.type, ota_path)
    commits = repo.commits(ota_path)
    result.commits = len(commits)
    blobs = repo.blobs([f"{c.sha}:{ota_path}" for c in commits])
    snapshot_commits = snapshot_repo.commits(snapshot_path) if snapshot_repo and snapshot_path else []
    known_hashes = {v.text_hash for v in repository.versions_of(session, document.id)}
    latest = repository.latest_version(session, document.id)
    previous_text: str | None = None
    previous_ref: str | None = None
    for commit, blob in zip(commits, blobs, strict=True):
        if blob is None:  # the commit deleted the file
            continue
        text = normalise_markdown(blob.decode("utf-8", "replace"))
        ref = commit.snapshot_ref
        same_page = ref is not None and ref == previous_ref
        previous_ref = ref
        if not text.strip():
            continue
        if text == previous_text:
            result.reextracted += 1
            continue
        previous_text = text
        text_hash = hashlib.sha256(text.encode()).hexdigest()
        if text_hash in known_hashes:
            result.already_present += 1
            continue
        if latest is not None and commit.authored_at <= latest.fetched_at:
            result.older_than_history += 1
            continue
        technical = latest is not None and (commit.technical or same_page)
        snapshot_ids = []
        if snapshot_repo is not None and snapshot_commits:
            snapshot_id = _store_snapshot(
                session, document, snapshot_repo, snapshot_path or "", snapshot_commits, commit
            )
            if snapshot_id is not None:
                snapshot_ids.append(snapshot_id)
                result.snapshots += 1
        version = add_version(
            session, document, text, commit.authored_at, snapshot_ids=snapshot_ids, source="import", technical=technical
        )
        known_hashes.add(text_hash)
        latest = version
        result.imported += 1
        result.technical += int(technical)
        result.first = result.first or commit.authored_at
        result.last = commit.authored_at
    session.flush()
    return result


def _store_snapshot(
    session: Session,
    document: Document,
    repo: GitRepository,
    path: str,
    snapshot_commits: list[OTACommit],
    version_commit: OTACommit,
) -> int | None:
    """The raw page a version was extracted from: the snapshot commit its message names, else the newest
    snapshot recorded before it."""
    ref = version_commit.snapshot_ref
    chosen = next((c for c in snapshot_commits if ref and c.sha.startswith(ref)), None)
    if chosen is None:
        earlier = [c for c in snapshot_commits if c.authored_at <= version_commit.authored_at + SNAPSHOT_TOLERANCE]
        chosen = earlier[-1] if earlier else None
    if chosen is None:
        return None
    (content,) = repo.blobs([f"{chosen.sha}:{path}"])
    if content is None:
        return None
    return repository.store_snapshot(
        session,
        document.id,
        content,
        url=document.url,
        media_type=MEDIA_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream"),
        fetched_at=chosen.authored_at,
    )
