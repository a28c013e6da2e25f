"""Check the mail settings before anything is built or sent; a problem is a :class:`ConfigError`."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import urlsplit

from tosmonitor.config import ConfigError, Settings

AUDIENCES = ("comms", "legal")
SOURCE = "mail settings"


def address_problem(value: str) -> str | None:
    """Why ``value`` is not one plain e-mail address (optionally with a display name); ``None`` when it is."""
    name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not value.strip() or not at or not local or "." not in domain or any(c in address for c in " ,;<>"):
        return "not an e-mail address"
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError) as error:
        return f"not an e-mail address ({error})"
    return None


def _address(key: str, value: str) -> str:
    """``value`` if it is one plain e-mail address (optionally with a display name), else a ConfigError."""
    problem = address_problem(value)
    if problem is not None:
        detail = problem.removeprefix("not an e-mail address")
        raise ConfigError(SOURCE, key, f"not an e-mail address: {value!r}{detail}")
    return value.strip()


@dataclass(frozen=True)
class MailConfig:
    """Validated mail settings: where to send from, to whom, through which server."""

    host: str
    port: int
    user: str
    password: str
    security: str
    timeout: float
    mail_from: str
    recipients: dict[str, tuple[str, ...]]
    lang: str
    base_url: str

    @property
    def domain(self) -> str:
        """The sender's domain, used in Message-IDs."""
        return parseaddr(self.mail_from)[1].rpartition("@")[2].lower()


def _loopback(host: str) -> bool:
    """A host on this machine: a password sent to it in clear never leaves it."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def mail_config(settings: Settings, audiences: tuple[str, ...] = AUDIENCES, *, need_server: bool = True) -> MailConfig:
    """Validate the settings needed to send to ``audiences``; ``need_server=False`` for ``--out``."""
    if settings.smtp_security not in ("none", "starttls", "ssl"):
        raise ConfigError(SOURCE, "TOSMONITOR_SMTP_SECURITY",
                          f"must be none, starttls or ssl, got {settings.smtp_security!r}")
    if need_server:
        if not settings.smtp_host.strip():
            raise ConfigError(SOURCE, "TOSMONITOR_SMTP_HOST", "not set: the SMTP server to send through")
        if bool(settings.smtp_user) != bool(settings.smtp_password):
            raise ConfigError(SOURCE, "TOSMONITOR_SMTP_USER / TOSMONITOR_SMTP_PASSWORD", "set both or neither")
        if settings.smtp_user and settings.smtp_security == "none" and not _loopback(settings.smtp_host.strip()):
            raise ConfigError(SOURCE, "TOSMONITOR_SMTP_SECURITY",
                              "is none while a user and password are set: the password would cross the network "
                              "unencrypted; use starttls or ssl")
        if settings.smtp_timeout <= 0:
            raise ConfigError(SOURCE, "TOSMONITOR_SMTP_TIMEOUT", f"must be positive, got {settings.smtp_timeout}")
    if not settings.mail_from.strip():
        raise ConfigError(SOURCE, "TOSMONITOR_MAIL_FROM", "not set: the sender address, e.g. tosmonitor@alajarvi.fi")
    mail_from = _address("TOSMONITOR_MAIL_FROM", settings.mail_from)
    recipients: dict[str, tuple[str, ...]] = {}
    for audience in AUDIENCES:
        key = f"TOSMONITOR_MAIL_{audience.upper()}"
        values = tuple(_address(key, value) for value in getattr(settings, f"mail_{audience}"))
        if audience in audiences and not values:
            raise ConfigError(SOURCE, key, f"no recipients for the {audience} audience (comma-separated addresses)")
        recipients[audience] = values
    base = urlsplit(settings.base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigError(SOURCE, "TOSMONITOR_BASE_URL",
                          f"must be an http(s) URL of the web UI, got {settings.base_url!r}")
    return MailConfig(
        host=settings.smtp_host.strip(),
        port=settings.smtp_port,
        user=settings.smtp_user,
        password=settings.smtp_password,
        security=settings.smtp_security,
        timeout=settings.smtp_timeout,
        mail_from=mail_from,
        recipients=recipients,
        lang=settings.lang,
        base_url=settings.base_url.rstrip("/"),
    )
