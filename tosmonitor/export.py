"""Evidence export: what a records officer keeps to show later what the terms said on a given day.

For each exported version: the raw page(s) exactly as fetched (the stored snapshots), the extracted
text, the SHA-256 of each, the fetch time and URL, and one ``manifest.json`` describing everything::

    <service>-<type-slug>-v<N>/
        manifest.json
        v<N>.md                      extracted text (UTF-8), as diffed and tagged
        v<N>-snapshot-1.html         raw page as fetched (one per page of a multi-page document)

Written to a directory, or to a ``.zip`` with the same layout.  Before returning, every file's hash is
recomputed from what was written and compared with the stored hashes (``content_hash`` of the snapshot,
``text_hash`` of the version); a mismatch raises :class:`ExportError`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import zipfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tosmonitor.recording import load_snapshot_bytes
from tosmonitor.store import repository
from tosmonitor.store.db import session_factory
from tosmonitor.store.models import Snapshot, Version

EXTENSIONS = {"text/html": ".html", "application/xhtml+xml": ".xhtml", "application/pdf": ".pdf",
              "text/plain": ".txt", "application/json": ".json", "application/xml": ".xml", "text/xml": ".xml"}


class ExportError(RuntimeError):
    """The export cannot be made; the message says why."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def export_evidence(
    engine: Engine,
    service_id: str,
    doc_type: str | None,
    out: Path,
    *,
    number: int | None = None,
    all_versions: bool = False,
) -> dict[str, Any]:
    """Export one version (default the latest; ``number``) or every version; return the manifest."""
    from tosmonitor.reports import resolve_document

    if all_versions and number is not None:
        raise ExportError("give a version number or all versions, not both")

    with session_factory(engine)() as session:
        try:
            document = resolve_document(session, service_id, doc_type)
        except LookupError as error:
            raise ExportError(str(error.args[0])) from None
        versions = repository.versions_of(session, document.id)
        if not versions:
            raise ExportError(f"{service_id} / {document.type} has no versions yet: run `tosmonitor crawl`")
        if all_versions:
            chosen = versions
        elif number is not None:
            chosen = [v for v in versions if v.number == number]
            if not chosen:
                raise ExportError(f"{service_id} / {document.type} has no version {number}; "
                                  f"versions 1–{versions[-1].number}")
        else:
            chosen = [versions[-1]]
        files: dict[str, bytes] = {}
        entries = [_version_entry(session, version, files) for version in chosen]
        manifest = {
            "format": "tosmonitor-evidence/1",
            "service": service_id,
            "service_name": document.service.name,
            "type": document.type,
            "url": document.url,
            "exported_at": datetime.now(UTC).isoformat(),
            "tool": f"tosmonitor {_tool_version()}",
            "hash_algorithm": "sha256",
            "versions": entries,
        }
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    label = f"{service_id}-{slug(document.type)}-" + ("all" if all_versions else f"v{chosen[0].number}")
    _write(out, label, files)
    verify(out)
    return manifest


def _version_entry(session: Any, version: Version, files: dict[str, bytes]) -> dict[str, Any]:
    text = version.text.encode("utf-8")
    text_name = f"v{version.number}.md"
    if sha256(text) != version.text_hash:
        raise ExportError(f"version {version.number}: stored text does not match its stored hash")
    files[text_name] = text
    snapshots = []
    for index, snapshot_id in enumerate(version.snapshot_ids or [], start=1):
        snapshot = session.get(Snapshot, snapshot_id)
        if snapshot is None:
            continue
        raw = load_snapshot_bytes(snapshot)
        if sha256(raw) != snapshot.content_hash:
            raise ExportError(f"snapshot {snapshot.id}: stored bytes do not match their stored hash")
        name = f"v{version.number}-snapshot-{index}{EXTENSIONS.get(snapshot.media_type, '.bin')}"
        files[name] = raw
        snapshots.append({
            "file": name,
            "url": snapshot.url,
            "fetched_at": snapshot.fetched_at.isoformat(),
            "media_type": snapshot.media_type,
            "size": len(raw),
            "sha256": snapshot.content_hash,
        })
    change = repository.change_into(session, version.id)
    return {
        "version": version.number,
        "fetched_at": version.fetched_at.isoformat(),
        "source": version.source,
        "technical": version.technical,
        "effective_date": version.effective_date,
        "updated_date": version.updated_date,
        "text": {"file": text_name, "size": len(text), "sha256": version.text_hash},
        "snapshots": snapshots,
        "change_from_previous": None if change is None else {
            "severity": change.severity, "topics": list(change.topics), "technical": change.technical,
        },
        "note": None if snapshots else "no raw page stored for this version (e.g. imported from text only)",
    }


def _write(out: Path, label: str, files: dict[str, bytes]) -> None:
    """Write the export; evidence already there is never overwritten, an unwritable ``out`` is an ExportError."""
    try:
        if out.suffix.lower() == ".zip":
            _write_zip(out, label, files)
            return
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise ExportError(f"{out} already exists and is not a directory; "
                              "evidence is not overwritten: choose a new directory or .zip file")
        if out.exists() and any(out.iterdir()):
            raise ExportError(f"{out} exists and is not empty; choose a new directory or a .zip file")
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            with (out / name).open("xb") as handle:
                handle.write(data)
    except OSError as error:
        raise ExportError(f"cannot write {out}: {error.strerror or error}") from None


def _write_zip(out: Path, label: str, files: dict[str, bytes]) -> None:
    if out.exists() or out.is_symlink():
        raise ExportError(f"{out} already exists; evidence is not overwritten: choose a new file name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # the parent is a file: say so, not pathlib's "File exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(out.parent)) from None
    try:
        archive = zipfile.ZipFile(out, "x", compression=zipfile.ZIP_DEFLATED)  # "x": never replaces a file
    except FileExistsError:
        raise ExportError(f"{out} already exists; evidence is not overwritten: choose a new file name") from None
    try:
        with archive:
            for name, data in files.items():
                archive.writestr(f"{label}/{name}", data)
    except BaseException:
        out.unlink(missing_ok=True)  # no half-written archive left looking like evidence
        raise


def read_export(out: Path) -> dict[str, bytes]:
    """The files of an export (directory or .zip), by name relative to the manifest."""
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out) as archive:
            names = archive.namelist()
            prefix = next(n for n in names if n.endswith("manifest.json"))[: -len("manifest.json")]
            return {n[len(prefix):]: archive.read(n) for n in names if n.startswith(prefix)}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def verify(out: Path) -> dict[str, Any]:
    """Recompute every hash named in the manifest from the exported files; raise on any mismatch."""
    files = read_export(out)
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["versions"]:
        for item in [entry["text"], *entry["snapshots"]]:
            data = files.get(item["file"])
            if data is None or sha256(data) != item["sha256"]:
                raise ExportError(f"{out}: {item['file']} is missing or does not match its SHA-256")
    return manifest


def _tool_version() -> str:
    try:
        return package_version("tosmonitor")
    except PackageNotFoundError:
        return "unknown"
