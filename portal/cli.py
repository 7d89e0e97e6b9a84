"""The `portal` command: serve, migrate, demo-data, create-user, scheduler, alerts,
rebuild-figures, anonymise-expired, backup."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from portal.settings import SettingsError, get_settings


def _run(coroutine_factory: Callable[[], Awaitable[Any]]) -> Any:
    """Run one async command with the database connected."""
    from portal import db

    async def main() -> Any:
        await db.connect()
        try:
            return await coroutine_factory()
        finally:
            await db.disconnect()

    return asyncio.run(main())


async def _migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="all")
    if not result.success:
        raise SystemExit(f"Migration failed: {result.message}")


def cmd_migrate(args: argparse.Namespace) -> None:
    _run(_migrate)
    print("Database is up to date.")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    _run(_migrate)
    settings = get_settings()
    if args.workers > 1 and settings.run_scheduler:
        # Every worker would run every job: leave the jobs to `portal scheduler`.
        os.environ["PORTAL_RUN_SCHEDULER"] = "false"
        print("Several workers: run `portal scheduler` once beside them for scheduled jobs.")
    print(f"Fair Recruitment Portal on http://{args.host}:{args.port}/")
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # client addresses are worked out by PORTAL_TRUSTED_PROXIES
        access_log=args.access_log,
        log_level="info",
    )


def cmd_demo_data(args: argparse.Namespace) -> None:
    import time

    from portal.complaints.bulk_demo import bulk_complaints
    from portal.demo import load_demo_data
    from portal.reports.demo import seed_history

    _run(_migrate)
    for line in _run(load_demo_data):
        print(line)
    for line in _run(seed_history):  # the statistics page's two years
        print(line)
    if args.complaints:
        started = time.monotonic()
        added = _run(lambda: bulk_complaints(args.complaints))
        print(f"{added} bulk complaints added in {time.monotonic() - started:.1f} s")


def cmd_create_user(args: argparse.Namespace) -> None:
    from portal.accounts.services import NewUser, create_user
    from portal.errors import FormErrors

    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise SystemExit("The two passwords are not the same.")
    new = NewUser(
        email=args.email,
        full_name=args.name or args.email.split("@")[0],
        role=args.role,
        password=password,
        agency_licence=args.agency or "",
        organisation_name=args.organisation or "",
        organisation_kind=args.organisation_kind,
        constituency=args.constituency or "",
        provinces=tuple(args.province),
        must_change_password=False,
    )
    try:
        user = _run(lambda: create_user(None, new))
    except FormErrors as error:
        for field, message in error.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Created {user.email} ({user.role}).")


def cmd_scheduler(args: argparse.Namespace) -> None:
    from portal import db
    from portal.scheduler import create_scheduler

    async def main() -> None:
        await db.connect()
        scheduler = create_scheduler(get_settings())
        scheduler.start()
        print("Scheduler running; stop it with Ctrl+C.")
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)
            await db.disconnect()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass


def cmd_alerts(args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from portal import display
    from portal.scheduler import scan

    try:
        now = datetime.fromisoformat(args.now)
    except ValueError:
        raise SystemExit(f"--now: not an ISO date and time: {args.now!r}") from None
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)

    async def scan_once() -> Any:
        await display.refresh()  # the admin's choice of digits, for the Khmer e-mails
        return await scan(now)

    sent = _run(scan_once)
    for alert in sent:
        # The account id and role only: addresses are personal data.
        print(
            f"{alert.kind} -> user {alert.recipient_id} ({alert.recipient_role}): {alert.subject}"
        )
    print(f"{len(sent)} alerts sent")


def cmd_rebuild_figures(args: argparse.Namespace) -> None:
    import re

    from portal.reports import figures

    if args.month:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
            raise SystemExit(f"--month: not a month like 2026-11: {args.month!r}")
        counted = _run(lambda: figures.rebuild_month(args.month))
        print(f"{args.month}: {counted} complaints counted")
    else:
        counted = _run(figures.rebuild_all)
        print(f"Report figures rebuilt: {counted} complaints counted")


def cmd_anonymise_expired(args: argparse.Namespace) -> None:
    from portal.retention.services import anonymise_expired

    _run(_migrate)
    print(f"{_run(anonymise_expired)}.")


def cmd_backup(args: argparse.Namespace) -> None:
    from portal.db import sqlite_backup

    settings = get_settings()
    target = Path(args.path).resolve()
    if settings.is_sqlite:
        sqlite_backup(settings.sqlite_path, target)
    else:
        if shutil.which("pg_dump") is None:
            raise SystemExit(
                "pg_dump is not installed (Debian: apt-get install postgresql-client)."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed program, URL from our own settings
            ["pg_dump", "--format=custom", f"--file={target}", settings.database_url],  # noqa: S607
            check=True,
        )
    print(f"Backup written to {target}")


def _count(text: str) -> int:
    """A number of processes: a whole number from 1 (uvicorn would take 0 or -3 as 1)."""
    from portal.forms import whole_number

    number = whole_number(text, 1, 1000)
    if number is None:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1000, got {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Fair Recruitment Portal")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, then serve the portal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_count, default=1)
    serve.add_argument("--access-log", action="store_true", help="log each request's path")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    demo = commands.add_parser("demo-data", help="add realistic sample data (safe to repeat)")
    demo.add_argument(
        "--complaints",
        type=int,
        default=0,
        metavar="N",
        help="also add N generated complaints (for benchmarks; not idempotent)",
    )
    demo.set_defaults(func=cmd_demo_data)

    create = commands.add_parser("create-user", help="create an account")
    create.add_argument("email")
    create.add_argument(
        "--role",
        required=True,
        choices=[
            "admin",
            "committee",
            "officer",
            "provincial_officer",
            "ministry_viewer",
            "partner",
            "agency",
        ],
    )
    create.add_argument(
        "--province",
        action="append",
        default=[],
        metavar="PROVINCE",
        help='a provincial officer\'s province, e.g. "Kandal" (repeat for several)',
    )
    create.add_argument("--name", help="full name (default: the part before @)")
    create.add_argument("--agency", metavar="LICENCE_NO", help="the agency, for agency staff")
    create.add_argument("--organisation", metavar="NAME", help="the organisation, for partners")
    create.add_argument("--organisation-kind", default="ngo", choices=["mrc", "union", "ngo"])
    create.add_argument(
        "--constituency",
        choices=["association", "ministry", "union", "civil_society"],
        help="what a committee member represents",
    )
    create.add_argument("--password", help="prompted for when not given")
    create.set_defaults(func=cmd_create_user)

    scheduler = commands.add_parser("scheduler", help="run the scheduled jobs in this process")
    scheduler.set_defaults(func=cmd_scheduler)

    alerts = commands.add_parser("alerts", help="run one deadline scan as of a given time")
    alerts.add_argument(
        "--now",
        required=True,
        metavar="ISO_DATETIME",
        help="e.g. 2026-11-22T09:00+07:00 (UTC if no offset)",
    )
    alerts.set_defaults(func=cmd_alerts)

    rebuild = commands.add_parser(
        "rebuild-figures", help="count the report figures again (every month, or one)"
    )
    rebuild.add_argument("--month", metavar="YYYY-MM", help="only this Phnom Penh month")
    rebuild.set_defaults(func=cmd_rebuild_figures)

    anonymise = commands.add_parser(
        "anonymise-expired",
        help="anonymise the personal data the retention policy says has expired (safe to repeat)",
    )
    anonymise.set_defaults(func=cmd_anonymise_expired)

    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        get_settings()
    except SettingsError as error:
        raise SystemExit(f"Configuration error: {error}") from None
    args.func(args)


if __name__ == "__main__":
    main()
