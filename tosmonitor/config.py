"""Settings: built-in defaults < TOML file (``TOSMONITOR_CONFIG``) < ``TOSMONITOR_*`` environment.

Every key of :class:`Settings` can be set in the TOML file (same name, lower case, under a
``[tosmonitor]`` table or at top level) or in the environment as ``TOSMONITOR_<NAME>``.
A bad value raises :class:`ConfigError` naming where it came from (the environment variable or
the TOML file), the key and the reason. A ``TOSMONITOR_*`` variable that is neither a setting nor
one of :data:`OTHER_VARIABLES` is reported on stderr as a warning, with the closest known name.
"""

from __future__ import annotations

import difflib
import os
import sys
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


# TOSMONITOR_* variables that are read elsewhere and are not settings: the config file's name, and
# the test and CI switches of tests/conftest.py, tests/browser and .ci/run.
OTHER_VARIABLES = frozenset(
    {
        "TOSMONITOR_CONFIG",
        "TOSMONITOR_TEST_POSTGRES_URL",
        "TOSMONITOR_REQUIRE_POSTGRES",
        "TOSMONITOR_REQUIRE_BROWSER",
        "TOSMONITOR_SCREENSHOTS",
    }
)
_PREFIX = "TOSMONITOR_"

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


def _validate(origins: dict[str, str], settings: Settings) -> Settings:
    """Check values against their choices and ranges; ``origins`` maps a key to where its value came from."""
    for name, choices in _CHOICES.items():
        if getattr(settings, name) not in choices:
            raise ConfigError(
                origins.get(name, "defaults"),
                name,
                f"must be one of {', '.join(choices)}, got {getattr(settings, name)!r}",
            )
    if not 0 < settings.smtp_port < 65536:
        raise ConfigError(origins.get("smtp_port", "defaults"), "smtp_port", f"not a TCP port: {settings.smtp_port}")
    return settings


def _warn_unknown_variables(env: Any, known: set[str]) -> None:
    """Warn on stderr about ``TOSMONITOR_*`` variables nobody reads, suggesting the closest known name.

    A warning rather than an error: the repository's own extra variables are listed in
    :data:`OTHER_VARIABLES`, but wrappers and deployments may set ``TOSMONITOR_*`` variables of
    their own, and an error would stop every command over a variable tosmonitor never reads.
    """
    suffixes = {name.removeprefix(_PREFIX): name for name in known}
    for variable in sorted(env):
        if not variable.startswith(_PREFIX) or variable in known:
            continue
        message = f"warning: {variable}: unknown setting, ignored"
        # compared without the shared prefix, which would make every name look close
        close = difflib.get_close_matches(variable.removeprefix(_PREFIX), suffixes, n=1)
        if close:
            message += f"; did you mean {suffixes[close[0]]}?"
        print(message, file=sys.stderr)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the TOML file named by ``TOSMONITOR_CONFIG`` and the environment."""
    env = os.environ if environ is None else environ
    types = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
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
            origins[name] = str(path)
    for name, kind in types.items():
        env_name = f"{_PREFIX}{name.upper()}"
        if env_name in env:
            values[name] = _convert(env_name, name, kind, env[env_name])
            origins[name] = env_name
    _warn_unknown_variables(env, {f"{_PREFIX}{name.upper()}" for name in types} | OTHER_VARIABLES)
    settings = replace(Settings(), **values)
    return _validate(origins, settings)
