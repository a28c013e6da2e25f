"""Load the town's channels (``data/channels.toml``): its accounts on each service and their state."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from tosmonitor.declarations import DeclarationError

CHANNEL_STATES = ("in use", "candidate", "closed")


@dataclass(frozen=True)
class ChannelEntry:
    service: str
    state: str
    account: str = ""
    url: str = ""
    owner: str = ""
    owner_email: str = ""
    admins: tuple[str, ...] = ()


def load_channels(file: Path, service_ids: Collection[str]) -> list[ChannelEntry]:
    """Read and validate ``channels.toml``; every channel must name a declared service."""
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeclarationError(file, "(file)", "channels file does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise DeclarationError(file, "(syntax)", str(error)) from None
    entries = raw.get("channel", [])
    if not isinstance(entries, list):
        raise DeclarationError(file, "channel", "must be an array of tables ([[channel]])")
    channels = []
    for index, entry in enumerate(entries):
        where = f"channel[{index}]"
        service = entry.get("service")
        if service not in service_ids:
            raise DeclarationError(file, f"{where}.service", f"{service!r} is not a declared service")
        state = entry.get("state")
        if state not in CHANNEL_STATES:
            raise DeclarationError(file, f"{where}.state", f"must be one of {', '.join(CHANNEL_STATES)}, got {state!r}")
        admins = entry.get("admins", [])
        if not isinstance(admins, list) or not all(isinstance(a, str) for a in admins):
            raise DeclarationError(file, f"{where}.admins", "must be a list of names")
        for key in ("account", "url", "owner", "owner_email"):
            if not isinstance(entry.get(key, ""), str):
                raise DeclarationError(file, f"{where}.{key}", "must be a string")
        channels.append(
            ChannelEntry(
                service=service,
                state=state,
                account=entry.get("account", ""),
                url=entry.get("url", ""),
                owner=entry.get("owner", ""),
                owner_email=entry.get("owner_email", ""),
                admins=tuple(admins),
            )
        )
    return channels
