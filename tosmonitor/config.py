"""Settings: built-in defaults < TOML file (``TOSMONITOR_CONFIG``) < ``TOSMONITOR_*`` environment.

Every key of :class:`Settings` can be set in the TOML file (same name, lower case, under a
``[tosmonitor]`` table or at top level) or in the environment as ``TOSMONITOR_<NAME>``.
A bad value raises :class:`ConfigError` naming where it came from, the key and the reason.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tosmonitor.resources import data_dir


class ConfigError(ValueError):
    """A setting is missing or wrong; names the source, the key and the reason."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key}: {reason}")


@dataclass(frozen=True)
class Settings:
    """All of tosmonitor's settings, with their defaults."""

    home: Path = field(default_factory=Path.cwd)
    database_url: str = ""
    declarations: Path = field(default_factory=lambda: data_dir() / "declarations")
    channels: Path = field(default_factory=lambda: data_dir() / "channels.toml")
    user_agent: str = "tosmonitor/0.1 (terms-of-service monitor of a Finnish town; +https://alajarvi.fi)"
    obey_robots_txt: bool = False
    verify_certificates: bool = True
    download_delay: float = 1.0
    download_timeout: float = 30.0
    concurrent_requests_per_domain: int = 1
    retry_times: int = 2
    chromium_path: str = "/usr/bin/chromium"
    lang: str = "fi"
    base_url: str = "http://localhost:5000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"
    smtp_timeout: float = 30.0
    mail_from: str = ""
    mail_comms: tuple[str, ...] = ()
    mail_legal: tuple[str, ...] = ()
    secret_key: str = ""

    @property
    def resolved_database_url(self) -> str:
        """The database URL; default is a SQLite file ``tosmonitor.db`` in ``home``."""
        return self.database_url or f"sqlite:///{(self.home / 'tosmonitor.db').resolve()}"


_CHOICES = {"smtp_security": ("none", "starttls", "ssl"), "lang": ("fi", "en")}


def _convert(source: str, name: str, kind: Any, value: Any) -> Any:
    text_kind = str(kind)
    try:
        if "Path" in text_kind:
            return Path(str(value)).expanduser()
        if text_kind == "bool":
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"expected true/false, got {value!r}")
        if text_kind == "int":
            return int(value)
        if text_kind == "float":
            return float(value)
        if "tuple" in text_kind:
            items = value if isinstance(value, list) else str(value).split(",")
            return tuple(str(item).strip() for item in items if str(item).strip())
        return str(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(source, name, str(error)) from None


def _validate(source: str, settings: Settings) -> Settings:
    for name, choices in _CHOICES.items():
        if getattr(settings, name) not in choices:
            raise ConfigError(source, name, f"must be one of {', '.join(choices)}, got {getattr(settings, name)!r}")
    if not 0 < settings.smtp_port < 65536:
        raise ConfigError(source, "smtp_port", f"not a TCP port: {settings.smtp_port}")
    return settings


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the TOML file named by ``TOSMONITOR_CONFIG`` and the environment."""
    env = os.environ if environ is None else environ
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    config_file = env.get("TOSMONITOR_CONFIG")
    if config_file:
        path = Path(config_file).expanduser()
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("TOSMONITOR_CONFIG", "file", f"{path} does not exist") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(str(path), "(syntax)", str(error)) from None
        table = raw.get("tosmonitor", raw)
        for key, value in table.items():
            name = key.lower()
            if name not in types:
                raise ConfigError(str(path), key, f"unknown setting; known: {', '.join(sorted(types))}")
            values[name] = _convert(str(path), name, types[name], value)
    for name, kind in types.items():
        env_name = f"TOSMONITOR_{name.upper()}"
        if env_name in env:
            values[name] = _convert(env_name, name, kind, env[env_name])
    settings = replace(Settings(), **values)
    return _validate("settings", settings)
