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
        ({"TOSMONITOR_LANG": "sv"}, "TOSMONITOR_LANG", "lang", "must be one of fi, en"),
        (
            {"TOSMONITOR_SMTP_SECURITY": "tls"},
            "TOSMONITOR_SMTP_SECURITY",
            "smtp_security",
            "must be one of none, starttls, ssl",
        ),
        ({"TOSMONITOR_SMTP_PORT": "70000"}, "TOSMONITOR_SMTP_PORT", "smtp_port", "not a TCP port"),
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


@pytest.mark.parametrize(
    ("line", "key", "reason"),
    [
        ('lang = "xx"', "lang", "must be one of fi, en, got 'xx'"),
        ('smtp_security = "tls"', "smtp_security", "must be one of none, starttls, ssl"),
        ("smtp_port = 0", "smtp_port", "not a TCP port: 0"),
    ],
)
def test_bad_choice_in_the_file_names_the_file(tmp_path: Path, line: str, key: str, reason: str) -> None:
    config = tmp_path / "tosmonitor.toml"
    config.write_text(f"[tosmonitor]\n{line}\n")
    with pytest.raises(ConfigError) as error:
        load_settings({"TOSMONITOR_CONFIG": str(config)})
    assert (error.value.source, error.value.key) == (str(config), key)
    assert str(error.value).startswith(f"{config}: {key}: {reason}")


def test_bad_choice_names_the_environment_over_the_file(tmp_path: Path) -> None:
    config = tmp_path / "tosmonitor.toml"
    config.write_text('lang = "en"\nsmtp_port = 0\n')
    with pytest.raises(ConfigError, match=r"^TOSMONITOR_LANG: lang: must be one of fi, en, got 'de'$"):
        load_settings({"TOSMONITOR_CONFIG": str(config), "TOSMONITOR_LANG": "de", "TOSMONITOR_SMTP_PORT": "25"})
    # a good value in the environment over a bad one in the file
    assert load_settings({"TOSMONITOR_CONFIG": str(config), "TOSMONITOR_SMTP_PORT": "2525"}).smtp_port == 2525


def test_unknown_variable_warns_with_the_closest_name(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings({"TOSMONITOR_DATABASE_ULR": "sqlite://", "TOSMONITOR_SMTP_PROT": "2525"})
    assert settings.database_url == ""
    assert capsys.readouterr().err.splitlines() == [
        "warning: TOSMONITOR_DATABASE_ULR: unknown setting, ignored; did you mean TOSMONITOR_DATABASE_URL?",
        "warning: TOSMONITOR_SMTP_PROT: unknown setting, ignored; did you mean TOSMONITOR_SMTP_PORT?",
    ]


def test_unknown_variable_far_from_every_name_warns_without_a_guess(capsys: pytest.CaptureFixture[str]) -> None:
    load_settings({"TOSMONITOR_WHATEVER_ELSE": "1", "OTHER_DATABASE_ULR": "x"})
    assert capsys.readouterr().err == "warning: TOSMONITOR_WHATEVER_ELSE: unknown setting, ignored\n"


def test_variables_read_outside_the_settings_are_not_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tosmonitor.toml"
    config.write_text("")
    load_settings(
        {
            "TOSMONITOR_CONFIG": str(config),
            "TOSMONITOR_HOME": str(tmp_path),
            "TOSMONITOR_SECRET_KEY": "k",
            "TOSMONITOR_MAIL_LEGAL": "a@x.fi",
            "TOSMONITOR_TEST_POSTGRES_URL": "postgresql://",
            "TOSMONITOR_REQUIRE_POSTGRES": "1",
            "TOSMONITOR_REQUIRE_BROWSER": "1",
            "TOSMONITOR_SCREENSHOTS": "1",
        }
    )
    assert capsys.readouterr().err == ""
