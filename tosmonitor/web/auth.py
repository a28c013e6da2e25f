"""Users, passwords and roles: login and logout, ``login_required`` and ``role_required``.

Passwords are stored as werkzeug hashes (scrypt). Logging in clears the session first, so a session
planted before login is never promoted (no fixation); the ``next`` target must be a local path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tosmonitor.store.models import User
from tosmonitor.web.i18n import gettext as _

ROLES = ("comms", "legal", "admin")
bp = Blueprint("auth", __name__)

# A real hash to compare against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = generate_password_hash("not a password")


class UserError(ValueError):
    """A user cannot be added: bad role, empty password or name taken."""


def add_user(session: Session, name: str, role: str, password: str) -> User:
    """Create a user with a hashed password, or change the role and password of an existing one."""
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not name.strip():
        raise UserError("the user name is empty")
    if len(password) < 8:
        raise UserError("the password must be at least 8 characters")
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role, password_hash="", created_at=datetime.now(UTC))
        session.add(user)
    user.role = role
    user.password_hash = generate_password_hash(password)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


def init_app(app: Flask) -> None:
    @app.before_request
    def load_user() -> None:
        from tosmonitor.web import db

        g.user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = db().get(User, user_id)
            if (
                user is not None
                and session.get("role") == user.role
                and session.get("epoch") == user.session_epoch
            ):
                g.user = user
            else:
                session.clear()

    @app.context_processor
    def inject_user() -> dict[str, Any]:
        return {"user": g.get("user"), "has_role": has_role}


def has_role(*roles: str) -> bool:
    user = g.get("user")
    return user is not None and (not roles or user.role in roles)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            if request.path.startswith("/api/"):
                return {"error": "sign in first"}, 401
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed-in users of other roles get 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    from tosmonitor.web import db

    error = None
    target = safe_next(request.values.get("next"))
    if request.method == "POST":
        user = authenticate(db(), request.form.get("name", ""), request.form.get("password", ""))
        if user is None:
            error = _("Wrong user name or password.")
        else:
            session.clear()
            session["user_id"] = user.id
            session["role"] = user.role
            session["epoch"] = user.session_epoch
            session.permanent = True
            return redirect(target or url_for("services.index"))
    status = 401 if error else 200
    return render_template("web/login.html", error=error, next=target), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    from tosmonitor.web import db

    if g.get("user") is not None:  # revoke every cookie issued to this user, copies included
        g.user.session_epoch += 1
        db().commit()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
