"""Finnish by default, English on request: gettext through Babel catalogs in ``tosmonitor/translations``.

The language is ``?lang=fi|en`` (remembered in a cookie), else the cookie, else the ``lang`` setting.
Catalogs are read from the ``.po`` files once per process (no compile step; ``pybabel compile`` is not
needed). Message ids are English, so the English catalog may stay empty.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_request_context, request

LANGUAGES = ("fi", "en")
COOKIE = "tosmonitor_lang"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


@cache
def translations(lang: str) -> NullTranslations:
    """The catalog of ``lang`` compiled in memory from its ``.po`` file."""
    import io

    path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def current_lang() -> str:
    if not has_request_context():
        return "fi"
    if "lang" not in g:
        wanted = request.args.get("lang") or request.cookies.get(COOKIE) or current_app.config.get("DEFAULT_LANG")
        g.lang = wanted if wanted in LANGUAGES else "fi"
    return g.lang


def gettext(message: str, **variables: object) -> str:
    text = translations(current_lang()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_lang()).ngettext(singular, plural, n)
    return text % dict(variables, num=n)


_ = gettext


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations(current_lang()).gettext(message),
        lambda singular, plural, n: translations(current_lang()).ngettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["current_lang"] = current_lang

    @app.after_request
    def remember_lang(response):  # type: ignore[no-untyped-def]
        wanted = request.args.get("lang")
        if wanted in LANGUAGES and wanted != request.cookies.get(COOKIE):
            response.set_cookie(COOKIE, wanted, max_age=365 * 86400, samesite="Lax", httponly=True,
                                secure=app.config.get("SESSION_COOKIE_SECURE", False))
        return response
