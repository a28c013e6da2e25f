"""Commands ``serve``, ``user add``, ``review list|show|decide|decide-change`` and ``lookup``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tosmonitor.cli import App, app_session, echo_json, json_option, pass_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="TCP port.")
@click.option("--debug", is_flag=True, help="Flask's debug mode (reloader, tracebacks); never in production.")
def serve(host: str, port: int, debug: bool) -> None:
    """Run the web UI with Flask's built-in server (for a look or a small intranet).

    Needs TOSMONITOR_SECRET_KEY (or secret_key in the config file) unless --debug. In production run
    it behind a WSGI server instead, e.g. gunicorn 'tosmonitor.web:create_app()' (see docs/web.md).

    Example:

    \b
        TOSMONITOR_SECRET_KEY=$(openssl rand -hex 32) tosmonitor serve --port 8000
    """
    from tosmonitor.web import create_app

    app = create_app({"DEBUG": True} if debug else None)
    # Werkzeug says "Running on …" once the port is bound; a line of ours before that would claim a
    # server that may never start (port taken).
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


@click.group("user")
def user() -> None:
    """Manage the web UI's users.

    Example: tosmonitor user add maija --role legal
    """


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["comms", "legal", "admin"]), required=True,
              help="comms browses; legal also decides reviews; admin also edits channels.")
@pass_app
def user_add(app: App, name: str, role: str) -> None:
    """Add a user (or reset an existing user's role and password).

    The password is prompted for; when stdin is not a terminal it is the first line of stdin.

    Example: printf '%s\\n' "$PASSWORD" | tosmonitor user add maija --role legal
    """
    from tosmonitor.store import transaction
    from tosmonitor.web.auth import UserError, add_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with transaction(app.engine) as session:
            add_user(session, name, role, password)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {name} ({role}) saved.")


@click.group("review")
def review() -> None:
    """Legal's review of flagged clauses: list, show, decide.

    Example: tosmonitor review list --json
    """


@review.command("list")
@click.option("--status", type=click.Choice(["open", "accepted", "needs_action", "escalated", "all"]),
              default="open", show_default=True, help="Which reviews to list.")
@click.option("--service", help="Only this service's reviews.")
@json_option
@pass_app
def review_list(app: App, status: str, service: str | None, as_json: bool) -> None:
    """List reviews, high severity first, newest first (reviews missing for older changes are created).

    Example: tosmonitor review list --status all --service youtube
    """
    from tosmonitor.reviews import review_json, review_queue
    from tosmonitor.store.repository import require_service

    with app_session(app) as session:
        if service is not None:
            require_service(session, service)
        reviews = review_queue(session, None if status == "all" else status, service)
        data = [review_json(r, with_clause=False) for r in reviews]
        session.commit()
    if as_json:
        echo_json(data)
        return
    if not data:
        click.echo(f"No {'' if status == 'all' else status + ' '}reviews.")
    for r in data:
        decided = f" by {r['reviewer']} {r['decided_at']}" if r["reviewer"] else ""
        click.echo(f"#{r['id']:<5} {r['severity']:<6} {r['status']:<12} {r['service']} / {r['type']} "
                   f"v{r['version']} (change {r['change']}) {r['kind']}: {', '.join(r['topics'])}{decided}")


@review.command("show")
@click.argument("review_id", type=int)
@json_option
@pass_app
def review_show(app: App, review_id: int, as_json: bool) -> None:
    """Show one review with its clause's diff and plain statements.

    Example: tosmonitor review show 12
    """
    from tosmonitor.diffing import render_text
    from tosmonitor.reviews import ReviewError, review_json
    from tosmonitor.store.models import Review
    from tosmonitor.web.changes import clause_change

    with app_session(app) as session:
        review = session.get(Review, review_id)
        if review is None:
            raise ReviewError(f"no review {review_id}")
        data = review_json(review)
        text = render_text([clause_change(review.clause)], color=sys.stdout.isatty())
    if as_json:
        echo_json(data)
        return
    click.echo(f"Review #{data['id']}: {data['service']} / {data['type']} version {data['version']} "
               f"[{data['severity']}] {data['status']}")
    if data["reviewer"]:
        click.echo(f"Decided by {data['reviewer']} at {data['decided_at']}: {data['note'] or ''}")
    click.echo(text)


def _require_legal(session: Session, reviewer: str) -> None:
    from sqlalchemy import select

    from tosmonitor.store.models import User

    user = session.scalar(select(User).where(User.name == reviewer))
    if user is None or user.role != "legal":
        raise click.ClickException(f"{reviewer!r} is not a user with the legal role (tosmonitor user add)")


@review.command("decide")
@click.argument("review_id", type=int)
@click.argument("status", type=click.Choice(["accepted", "needs_action", "escalated"]))
@click.option("--note", default="", help="Why; shown with the decision.")
@click.option("--reviewer", required=True, help="Who decides (a user with the legal role).")
@pass_app
def review_decide(app: App, review_id: int, status: str, note: str, reviewer: str) -> None:
    """Record a decision on a review; later open reviews of the same clause text follow it.

    Example:

    \b
        tosmonitor review decide 12 accepted --reviewer maija --note "Licence unchanged in substance"
    """
    from tosmonitor.reviews import decide
    from tosmonitor.store import transaction

    with transaction(app.engine) as session:
        _require_legal(session, reviewer)
        decide(session, review_id, status, reviewer, note)
    click.echo(f"Review #{review_id}: {status}.")


@review.command("decide-change")
@click.argument("change_id", type=int)
@click.argument("status", type=click.Choice(["accepted", "needs_action", "escalated"]))
@click.option("--note", default="", help="Why; shown with each decision.")
@click.option("--reviewer", required=True, help="Who decides (a user with the legal role).")
@json_option
@pass_app
def review_decide_change(app: App, change_id: int, status: str, note: str, reviewer: str, as_json: bool) -> None:
    """Record one decision on every open review of a change (the "change" of `review list --json`);
    reviews already decided keep theirs, later open reviews of the same clause texts follow.

    Example:

    \b
        tosmonitor review decide-change 7 accepted --reviewer maija --note "Imported history, read"
    """
    from tosmonitor.reviews import decide_change
    from tosmonitor.store import transaction

    with transaction(app.engine) as session:
        _require_legal(session, reviewer)
        decided = [review.id for review in decide_change(session, change_id, status, reviewer, note)]
    if as_json:
        echo_json({"change": change_id, "status": status, "reviews": decided})
        return
    click.echo(f"Change #{change_id}: {len(decided)} open review{'' if len(decided) == 1 else 's'} {status}"
               + (f" (#{', #'.join(map(str, decided))})." if decided else "."))


@click.command("lookup")
@click.argument("service")
@click.option("--lang", type=click.Choice(["fi", "en"]), help="Language of the texts (default: the lang setting).")
@json_option
@pass_app
def lookup(app: App, service: str, lang: str | None, as_json: bool) -> None:
    """The brief before opening a channel: clauses in force by topic, last changes, reviews, checklist.

    Example: tosmonitor lookup youtube --json
    """
    from tosmonitor.lookup import lookup_report, lookup_text

    lang = lang or app.settings.lang
    with app_session(app) as session:
        report = lookup_report(session, service)
        session.commit()
    if as_json:
        echo_json(report)
        return
    click.echo(lookup_text(report, lang))


COMMANDS = [serve, user, review, lookup]
