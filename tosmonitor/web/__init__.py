"""The web UI: a Flask app factory with one blueprint per area, server-rendered from ``templates/web/``.

Pages work without JavaScript. Every page needs a signed-in user; roles decide what they may change:
``legal`` decides reviews, ``admin`` edits channels, everyone browses. Run it with ``tosmonitor serve``
for a look, or behind a WSGI server in production (``docs/web.md``)::

    gunicorn 'tosmonitor.web:create_app()'
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, g
from flask_wtf.csrf import CSRFError, CSRFProtect

from tosmonitor.config import ConfigError, load_settings
from tosmonitor.plaintext import plain_markdown
from tosmonitor.resources import templates_dir

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``test_config`` overrides Flask settings (``DATABASE_URL``, ``SECRET_KEY``, ``TESTING``…).

    Settings come from :func:`tosmonitor.config.load_settings` (``TOSMONITOR_*`` environment or the
    TOML file). Without a secret key the app refuses to start, except in debug or testing mode where
    a random one is made up for the process.
    """
    from tosmonitor.store import ensure_current, make_engine
    from tosmonitor.web import api, auth, changes, i18n, lookup, reviews, services

    settings = load_settings()
    app = Flask(__name__, template_folder=str(templates_dir()), static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.resolved_database_url,
        DEFAULT_LANG=settings.lang,
        BASE_URL=settings.base_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        SESSION_COOKIE_NAME="tosmonitor_session",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        if not (app.debug or app.testing):
            raise ConfigError("settings", "secret_key",
                              "no secret key: set TOSMONITOR_SECRET_KEY or secret_key in the config file")
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    engine = make_engine(app.config["DATABASE_URL"])
    ensure_current(engine)
    app.extensions["tosmonitor_engine"] = engine

    csrf.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    for module in (services, changes, reviews, lookup, auth, api):
        app.register_blueprint(module.bp)

    _template_helpers(app)

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        from flask import render_template

        return render_template("web/error.html", code=400, message=i18n.gettext(
            "The form had expired or was not sent from this site. Go back, reload the page and try again."
        )), 400

    for code in (400, 403, 404, 405):
        app.register_error_handler(code, _error_page(code))

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
        )
        return response

    return app


def _template_helpers(app: Flask) -> None:
    from datetime import UTC, datetime

    from markupsafe import Markup

    from tosmonitor.diffing import diff_ops_html, mark_segments
    from tosmonitor.topics import TOPICS
    from tosmonitor.web.i18n import current_lang
    from tosmonitor.web.labels import LABELS

    def when(value: datetime | str | None, with_time: bool = True) -> str:
        """A moment in Helsinki time, as the emails give it: ``2024-05-01 15:30 EEST`` (or the date only)."""
        from tosmonitor.notify.i18n import local_date, local_time

        if value is None:
            return "–"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return local_time(value) if with_time else local_date(value)

    def topic_definition(name: str) -> str:
        topic = TOPICS.get(name)
        return topic.definition(current_lang()) if topic else name

    def highlight(text: str, matches: dict[str, list[list[Any]]]) -> Markup:
        """``text`` escaped, Markdown syntax hidden, the matched phrases (offsets into ``text``) in ``<mark>``."""
        segments = mark_segments(matches)  # type: ignore[arg-type]  # JSON lists, read as (start, end, phrase)
        return Markup(diff_ops_html([(0, text)], whole=True, segments=segments, marked_ops=frozenset({0}),
                                    topic_label=topic_label))

    def lang_url(lang: str) -> str:
        """This page in ``lang`` (the query string kept)."""
        from flask import request, url_for

        if request.endpoint is None:
            return f"?lang={lang}"
        return url_for(request.endpoint, **(request.view_args or {}), **dict(request.args, lang=lang))

    def doctype(name: str) -> str:
        """An OTA document type in the page's language ("Terms of Service" -> "Käyttöehdot")."""
        from tosmonitor.notify.i18n import DOCUMENT_TYPES_FI

        return DOCUMENT_TYPES_FI.get(name, (name,))[0] if current_lang() == "fi" else name

    app.jinja_env.globals["lang_url"] = lang_url
    app.jinja_env.filters["doctype"] = doctype
    app.jinja_env.filters["plain"] = plain_markdown
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["highlight"] = highlight
    def topic_label(name: str) -> str:
        from tosmonitor.notify.i18n import topic_label as label

        return label(name, current_lang())

    app.jinja_env.globals["topic_definition"] = topic_definition
    app.jinja_env.globals["topic_label"] = topic_label
    app.jinja_env.globals.update(LABELS)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _error_page(code: int):  # type: ignore[no-untyped-def]
    def handler(error):  # type: ignore[no-untyped-def]
        from flask import render_template, request

        from tosmonitor.web.i18n import gettext

        messages = {
            400: gettext("The request was not understood: a value in the address or the form is not valid."),
            403: gettext("You do not have the role this needs."),
            404: gettext("Not found."),
            405: gettext("This address does not take that kind of request."),
        }
        if request.path.startswith("/api/"):
            return {"error": messages[code]}, code
        return render_template("web/error.html", code=code, message=messages[code]), code

    return handler


def db():  # type: ignore[no-untyped-def]
    """The request's database session (closed at the end of the request)."""
    from flask import current_app

    from tosmonitor.store.db import session_factory

    if "db" not in g:
        g.db = session_factory(current_app.extensions["tosmonitor_engine"])()
    return g.db
