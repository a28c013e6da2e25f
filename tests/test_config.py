"""Settings: defaults < TOML file < environment; bad values fail with source, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tosmonitor.config import ConfigError, load_settings


def test_defaults_use_a_sqlite_file_in_home(tmp_path: Path) -> None:
    settings = load_settings({"TOSMONITOR_HOME": str(tmp_path)})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'tosmonitor.db'}"
    assert settings.lang == "fi"
    assert settings.verify_certificates is True


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "tosmonitor.toml"
    config.write_text('[tosmonitor]\nlang = "en"\ndownload_delay = 2.5\nmail_legal = ["a@x.fi", "b@x.fi"]\n')
    settings = load_settings({"TOSMONITOR_CONFIG": str(config), "TOSMONITOR_DOWNLOAD_DELAY": "0"})
    assert settings.lang == "en"
    assert settings.download_delay == 0
    assert settings.mail_legal == ("a@x.fi", "b@x.fi")
    assert load_settings({"TOSMONITOR_MAIL_COMMS": "a@x.fi, b@x.fi"}).mail_comms == ("a@x.fi", "b@x.fi")


@pytest.mark.parametrize(
    ("environ", "source", "key", "reason"),
    [
        ({"TOSMONITOR_DOWNLOAD_DELAY": "soon"}, "TOSMONITOR_DOWNLOAD_DELAY", "download_delay", "could not convert"),
        (
            {"TOSMONITOR_VERIFY_CERTIFICATES": "maybe"},
            "TOSMONITOR_VERIFY_CERTIFICATES",
            "verify_certificates",
            "expected true/false",
        ),
        ({"TOSMONITOR_LANG": "sv"}, "settings", "lang", "must be one of fi, en"),
        ({"TOSMONITOR_SMTP_SECURITY": "tls"}, "settings", "smtp_security", "must be one of none, starttls, ssl"),
        ({"TOSMONITOR_SMTP_PORT": "70000"}, "settings", "smtp_port", "not a TCP port"),
        ({"TOSMONITOR_CONFIG": "/nonexistent/tosmonitor.toml"}, "TOSMONITOR_CONFIG", "file", "does not exist"),
    ],
)
def test_bad_settings_name_source_key_and_reason(environ: dict, source: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ)
    assert (error.value.source, error.value.key) == (source, key)
    assert reason in error.value.reason


def test_unknown_key_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "tosmonitor.toml"
    config.write_text("[tosmonitor]\ndatabase = 'sqlite://'\n")
    with pytest.raises(ConfigError, match="database: unknown setting"):
        load_settings({"TOSMONITOR_CONFIG": str(config)})
