"""Load and validate Open Terms Archive declarations.

A declaration is one JSON file per service (``<service_id>.json``), in Open Terms Archive's format::

    {"name": "Wikipedia",
     "terms": {"Terms of Service": {"fetch": "https://…", "select": ["#content"],
                                    "remove": ["#toc"], "filter": ["removeQueryParams"],
                                    "executeClientScripts": false}}}

A document spread over several pages uses ``combine`` (a list of partial sources that inherit the
document's ``select`` / ``remove`` / ``filter``).  ``<service_id>.history.json`` keeps earlier settings,
each with ``validUntil``.  Every problem raises :class:`DeclarationError` naming file, field and reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

SERVICE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
RANGE_KEYS = {"startBefore", "startAfter", "endBefore", "endAfter"}
SOURCE_KEYS = {"fetch", "select", "remove", "filter", "executeClientScripts"}
DOCUMENT_KEYS = SOURCE_KEYS | {"combine"}
SERVICE_KEYS = {"name", "terms", "importedFrom"}


class DeclarationError(ValueError):
    """A declaration file is invalid; names the file, the field and the reason."""

    def __init__(self, file: Path | str, field_path: str, reason: str) -> None:
        self.file = str(file)
        self.field = field_path
        self.reason = reason
        super().__init__(f"{self.file}: {field_path}: {reason}")


@dataclass(frozen=True)
class RangeSelector:
    """OTA range selector: keep (or remove) everything between a start and an end element."""

    start: str
    start_inclusive: bool
    end: str
    end_inclusive: bool

    def to_json(self) -> dict[str, str]:
        start_key = "startBefore" if self.start_inclusive else "startAfter"
        end_key = "endAfter" if self.end_inclusive else "endBefore"
        return {start_key: self.start, end_key: self.end}


Selector = str | RangeSelector


@dataclass(frozen=True)
class FilterSpec:
    """A named extraction filter with its optional parameters (``{"removeQueryParams": ["h"]}``)."""

    name: str
    params: Any = None

    def to_json(self) -> str | dict[str, Any]:
        return self.name if self.params is None else {self.name: self.params}


@dataclass(frozen=True)
class SourceDocument:
    """One page to fetch and how to extract the terms from it."""

    fetch: str
    select: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = ()
    filters: tuple[FilterSpec, ...] = ()
    execute_client_scripts: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"fetch": self.fetch}
        if self.select:
            data["select"] = [_selector_json(s) for s in self.select]
        if self.remove:
            data["remove"] = [_selector_json(s) for s in self.remove]
        if self.filters:
            data["filter"] = [f.to_json() for f in self.filters]
        if self.execute_client_scripts:
            data["executeClientScripts"] = True
        return data


@dataclass(frozen=True)
class DocumentDeclaration:
    """One terms document of a service: its type and the page(s) that make it up."""

    service_id: str
    type: str
    sources: tuple[SourceDocument, ...]
    valid_until: datetime | None = None

    @property
    def url(self) -> str:
        return self.sources[0].fetch

    @property
    def declaration_hash(self) -> str:
        """Stable hash of the extraction settings; changes when the declaration does."""
        payload = json.dumps([s.to_json() for s in self.sources], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ServiceDeclaration:
    """A service and its documents, with the earlier settings from its history file."""

    id: str
    name: str
    documents: dict[str, DocumentDeclaration]
    history: dict[str, tuple[DocumentDeclaration, ...]] = field(default_factory=dict)
    file: str = ""

    def document_at(self, doc_type: str, when: datetime) -> DocumentDeclaration:
        """The declaration of ``doc_type`` that was in force at ``when``."""
        for past in sorted(self.history.get(doc_type, ()), key=_valid_until_key):
            if past.valid_until is not None and when < past.valid_until:
                return past
        return self.documents[doc_type]


def _valid_until_key(document: DocumentDeclaration) -> datetime:
    return document.valid_until or datetime.max.replace(tzinfo=UTC)


def _selector_json(selector: Selector) -> str | dict[str, str]:
    return selector.to_json() if isinstance(selector, RangeSelector) else selector


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _parse_selectors(file: Path, where: str, value: Any) -> tuple[Selector, ...]:
    selectors: list[Selector] = []
    for index, item in enumerate(_as_list(value)):
        here = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, str):
            if not item.strip():
                raise DeclarationError(file, here, "empty CSS selector")
            _check_css(file, here, item)
            selectors.append(item)
        elif isinstance(item, dict):
            selectors.append(_parse_range(file, here, item))
        else:
            raise DeclarationError(
                file, here, f"a selector must be a CSS string or a range object, not {type(item).__name__}"
            )
    return tuple(selectors)


def _parse_range(file: Path, where: str, item: dict[str, Any]) -> RangeSelector:
    unknown = set(item) - RANGE_KEYS
    if unknown:
        raise DeclarationError(file, where, f"unknown range key(s) {sorted(unknown)}")
    starts = [k for k in ("startBefore", "startAfter") if k in item]
    ends = [k for k in ("endBefore", "endAfter") if k in item]
    if len(starts) != 1 or len(ends) != 1:
        raise DeclarationError(
            file, where, "a range selector needs exactly one of startBefore/startAfter and one of endBefore/endAfter"
        )
    for key in (*starts, *ends):
        if not isinstance(item[key], str) or not item[key].strip():
            raise DeclarationError(file, f"{where}.{key}", "must be a non-empty CSS selector")
        _check_css(file, f"{where}.{key}", item[key])
    return RangeSelector(
        start=item[starts[0]],
        start_inclusive=starts[0] == "startBefore",
        end=item[ends[0]],
        end_inclusive=ends[0] == "endAfter",
    )


def _check_css(file: Path, where: str, selector: str) -> None:
    import soupsieve

    try:
        soupsieve.compile(selector)
    except Exception as error:  # soupsieve raises SelectorSyntaxError and friends
        raise DeclarationError(file, where, f"invalid CSS selector {selector!r}: {error}") from None


def _parse_filters(file: Path, where: str, value: Any, known: Iterable[str] | None) -> tuple[FilterSpec, ...]:
    specs: list[FilterSpec] = []
    known_names = set(known) if known is not None else None
    for index, item in enumerate(_as_list(value)):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            spec = FilterSpec(item)
        elif isinstance(item, dict) and len(item) == 1:
            name, params = next(iter(item.items()))
            spec = FilterSpec(name, params)
        else:
            raise DeclarationError(file, here, "a filter is a name or an object {name: parameters}")
        if known_names is not None and spec.name not in known_names:
            raise DeclarationError(
                file, here, f"unknown filter {spec.name!r}; known filters: {', '.join(sorted(known_names))}"
            )
        specs.append(spec)
    return tuple(specs)


def _check_url(file: Path, where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise DeclarationError(file, where, "must be a URL string")
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise DeclarationError(file, where, f"{value!r} is not an absolute http(s) URL")
    return value


def _parse_source(
    file: Path, where: str, raw: Mapping[str, Any], inherited: Mapping[str, Any], known_filters: Iterable[str] | None
) -> SourceDocument:
    merged = {**inherited, **raw}
    if "fetch" not in merged:
        raise DeclarationError(file, f"{where}.fetch", "missing: every document needs a URL to fetch")
    execute = merged.get("executeClientScripts", False)
    if not isinstance(execute, bool):
        raise DeclarationError(file, f"{where}.executeClientScripts", "must be true or false")
    return SourceDocument(
        fetch=_check_url(file, f"{where}.fetch", merged["fetch"]),
        select=_parse_selectors(file, f"{where}.select", merged["select"]) if "select" in merged else (),
        remove=_parse_selectors(file, f"{where}.remove", merged["remove"]) if "remove" in merged else (),
        filters=_parse_filters(file, f"{where}.filter", merged.get("filter", []), known_filters),
        execute_client_scripts=execute,
    )


def parse_document(
    file: Path,
    service_id: str,
    doc_type: str,
    raw: Any,
    where: str,
    known_filters: Iterable[str] | None = None,
) -> DocumentDeclaration:
    """Validate one document entry (``terms[type]`` or a history entry)."""
    if not isinstance(raw, dict):
        raise DeclarationError(file, where, "must be an object")
    allowed = DOCUMENT_KEYS | {"validUntil"}
    unknown = set(raw) - allowed
    if unknown:
        raise DeclarationError(file, where, f"unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    valid_until = None
    if "validUntil" in raw:
        valid_until = _parse_datetime(file, f"{where}.validUntil", raw["validUntil"])
    if "combine" in raw:
        parts = raw["combine"]
        if not isinstance(parts, list) or not parts:
            raise DeclarationError(file, f"{where}.combine", "must be a non-empty list of sources")
        inherited = {k: v for k, v in raw.items() if k in SOURCE_KEYS}
        sources = []
        for index, part in enumerate(parts):
            if not isinstance(part, dict):
                raise DeclarationError(file, f"{where}.combine[{index}]", "must be an object")
            unknown = set(part) - SOURCE_KEYS
            if unknown:
                raise DeclarationError(file, f"{where}.combine[{index}]", f"unknown field(s) {sorted(unknown)}")
            sources.append(_parse_source(file, f"{where}.combine[{index}]", part, inherited, known_filters))
    else:
        sources = [_parse_source(file, where, raw, {}, known_filters)]
    return DocumentDeclaration(service_id, doc_type, tuple(sources), valid_until)


def _parse_datetime(file: Path, where: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise DeclarationError(file, where, "must be an ISO-8601 date string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DeclarationError(file, where, f"{value!r} is not an ISO-8601 date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DeclarationError(
            file, f"line {error.lineno} column {error.colno}", f"invalid JSON: {error.msg}"
        ) from None
    except UnicodeDecodeError as error:
        raise DeclarationError(file, "(file)", f"not UTF-8: {error}") from None


def load_service(file: Path, known_filters: Iterable[str] | None = None) -> ServiceDeclaration:
    """Load ``<service_id>.json`` and, if present, its ``.history.json`` beside it."""
    service_id = file.name.removesuffix(".json")
    if not SERVICE_ID_PATTERN.match(service_id):
        raise DeclarationError(
            file, "(file name)", f"service id {service_id!r} must be lower-case letters, digits, '.', '_' or '-'"
        )
    known = list(known_filters) if known_filters is not None else None
    raw = _read_json(file)
    if not isinstance(raw, dict):
        raise DeclarationError(file, "(root)", "must be a JSON object")
    unknown = set(raw) - SERVICE_KEYS
    if unknown:
        raise DeclarationError(file, "(root)", f"unknown field(s) {sorted(unknown)}; allowed: {sorted(SERVICE_KEYS)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DeclarationError(file, "name", "missing or empty service name")
    terms = raw.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise DeclarationError(file, "terms", "missing or empty: declare at least one document type")
    documents = {
        doc_type: parse_document(file, service_id, doc_type, entry, f"terms.{doc_type}", known)
        for doc_type, entry in terms.items()
    }
    history: dict[str, tuple[DocumentDeclaration, ...]] = {}
    history_file = file.with_name(f"{service_id}.history.json")
    if history_file.exists():
        raw_history = _read_json(history_file)
        if not isinstance(raw_history, dict):
            raise DeclarationError(history_file, "(root)", "must be an object keyed by document type")
        for doc_type, entries in raw_history.items():
            if not isinstance(entries, list):
                raise DeclarationError(history_file, doc_type, "must be a list of earlier declarations")
            parsed = []
            for index, entry in enumerate(entries):
                where = f"{doc_type}[{index}]"
                if not isinstance(entry, dict) or "validUntil" not in entry:
                    raise DeclarationError(
                        history_file, f"{where}.validUntil", "missing: history entries need validUntil"
                    )
                parsed.append(parse_document(history_file, service_id, doc_type, entry, where, known))
            history[doc_type] = tuple(parsed)
    return ServiceDeclaration(service_id, name.strip(), documents, history, str(file))


def document_type_warnings(services: Iterable[ServiceDeclaration]) -> list[str]:
    """Document types that look like a misspelt well-known one ("Terms of Servce"): a warning each, not
    an error, as Open Terms Archive adds types now and then."""
    from difflib import get_close_matches

    from tosmonitor.notify.i18n import DOCUMENT_TYPES_FI

    known = list(DOCUMENT_TYPES_FI)
    warnings = []
    for service in services:
        for doc_type in service.documents:
            close = get_close_matches(doc_type, known, n=1, cutoff=0.85)
            if doc_type not in DOCUMENT_TYPES_FI and close:
                warnings.append(f"{service.file or service.id}: terms: {doc_type!r} is not a known document type; "
                                f"did you mean {close[0]!r}?")
    return warnings


def load_declarations(directory: Path, known_filters: Iterable[str] | None = None) -> dict[str, ServiceDeclaration]:
    """Load every ``*.json`` declaration (not ``*.history.json``) in ``directory``, keyed by service id."""
    if not directory.is_dir():
        raise DeclarationError(directory, "(directory)", "declarations directory does not exist")
    known = list(known_filters) if known_filters is not None else None
    services = {}
    for file in sorted(directory.glob("*.json")):
        if file.name.endswith(".history.json"):
            continue
        service = load_service(file, known)
        services[service.id] = service
    if not services:
        raise DeclarationError(directory, "(directory)", "no declaration files (*.json) found")
    return services
