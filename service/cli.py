"""The `infra-incentives` command."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from registry.audit import Actor
from registry.db import create_engine, session_factory
from registry.importer import import_sections, iter_errors, sections_of_file
from registry.keys import create_key, list_keys, revoke_key
from registry.migrate import downgrade, upgrade
from registry.site_import import describe, import_site_file
from service.demo import MIGRATING_PACKAGES
from service.kit.principal import Role
from service.kit.problems import Problem
from service.messages.cli import pop_lang, speaking
from service.serving import serve
from service.settings import Settings, SettingsError, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        database_url=getattr(args, "database_url", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


async def _with_session(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def cmd_db(args: argparse.Namespace) -> int:
    """db upgrade | db downgrade REV."""
    settings = _settings(args)
    if args.action == "upgrade":
        upgrade(settings.database_url, MIGRATING_PACKAGES, args.revision or "heads")
    else:
        downgrade(settings.database_url, MIGRATING_PACKAGES, args.revision or "base")
    print(f"database {args.action}d: {settings.database_url}")
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """keys create | list | revoke."""
    settings = _settings(args)
    actor = Actor.cli(f"keys {args.action}")

    async def work(session: Any) -> int:
        if args.action == "create":
            key, token = await create_key(session, args.unit, args.role, actor, args.name)
            holder = f" held by {args.name}" if args.name else ""
            print(f"created key {key.key_id} for unit {args.unit} with role {args.role}{holder}")
            print("the token is shown only now; keep it safe:")
            print(token)
        elif args.action == "list":
            for k in await list_keys(session):
                state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "active"
                print(f"{k['key_id']}  {k['unit']:<16} {k['role']:<9} {state}  {k['name'] or ''}")
        else:
            await revoke_key(session, args.key_id, actor)
            print(f"revoked key {args.key_id}")
        return 0

    return asyncio.run(_with_session(settings, work))


def cmd_import(args: argparse.Namespace) -> int:
    """import registry FILE | import invoices FILE."""
    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    if args.what == "invoices":
        from collectors.commands import import_invoices_main

        return import_invoices_main(settings.database_url, path, args.buyer)
    if args.what == "scenario":
        from incentives.commands import import_scenario_main

        return import_scenario_main(settings.database_url, path)
    actor = Actor.cli(f"import registry {path.name}")

    site_file = path.read_bytes() if path.suffix.lower() in (".csv", ".xlsx") else None

    async def work(session: Any) -> int:
        if site_file is not None:
            # A 5G-site file: the same reader and rules as POST /api/v1/5g-sites/import.
            result = await import_site_file(
                session, site_file, path.suffix.lower() == ".xlsx", actor
            )
            print(f"imported {path}: {describe(result)}")
            return 0
        sections, row_base = sections_of_file(path)
        report = await import_sections(session, sections, actor, progress=True, row_base=row_base)
        details = ", ".join(f"{n} {k}" for k, n in report.created.items()) or "nothing"
        print(f"imported {report.total} objects from {path}: {details}")
        return 0

    try:
        return asyncio.run(_with_session(settings, work))
    except Problem as problem:
        print(f"{path}: {problem.detail}", file=sys.stderr)
        for line in iter_errors(problem):
            print(f"  {line}", file=sys.stderr)
        return 2


def cmd_export(args: argparse.Namespace) -> int:
    """export scenario [--as-of DAY] [-o FILE]."""
    from incentives.commands import export_scenario_main

    return export_scenario_main(_settings(args).database_url, args.as_of, args.output)


def cmd_statements(args: argparse.Namespace) -> int:
    """statements run | list | show ID | export ID."""
    from incentives import commands

    settings = _settings(args)
    url = settings.database_url
    if args.action == "run":
        return commands.statements_run_main(
            url, settings.policy_paths, args.clause, args.period, args.as_of
        )
    if args.action == "list":
        return commands.statements_list_main(url, args.clause, args.period, args.status)
    if args.action == "export":
        from incentives.statements.export_command import statements_export_main

        return statements_export_main(
            url, settings.policy_paths, args.statement_id, args.format, args.lang, args.output
        )
    return commands.statements_show_main(url, args.statement_id)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API on host:port."""
    from service.app import create_app

    settings = _settings(args)
    logging.getLogger().setLevel(settings.log_level)
    upgrade(settings.database_url, MIGRATING_PACKAGES)
    return serve(create_app(settings), settings.host, settings.port)


def cmd_demo(args: argparse.Namespace) -> int:
    """Load the demo registry, print one token per role, and serve."""
    from service.demo import run_demo

    settings = _settings(args)
    logging.getLogger().setLevel(settings.log_level)
    return run_demo(settings, serve=not args.no_serve)


def cmd_simulate(argv: list[str]) -> int:
    """Delegate to the policy engine's simulate."""
    from incentives.commands import simulate_main

    return simulate_main(argv)


def cmd_policy(argv: list[str]) -> int:
    """Delegate to the policy engine's policy command."""
    from incentives.commands import policy_main

    return policy_main(argv)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="default: INCENTIVES_DATABASE_URL or var/ SQLite")


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(
        prog="infra-incentives",
        description="Heilongjiang digital-infrastructure incentives (黑龙江数字基础设施奖补)",
    )
    parser.add_argument(
        "--lang", choices=["zh", "en"], help="messages in Chinese or English (default: LANG/LC_ALL)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    for name, helptext in (("serve", "serve the API"), ("demo", "demo data, then serve")):
        p = sub.add_parser(name, help=helptext)
        _common(p)
        p.add_argument("--host")
        p.add_argument("--port", type=int)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="load and print tokens only")

    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    _common(db)

    keys = sub.add_parser("keys", help="API keys")
    ksub = keys.add_subparsers(dest="action", required=True)
    kc = ksub.add_parser("create", help="create a key; prints the token on the last line")
    kc.add_argument("--unit", required=True)
    kc.add_argument("--role", required=True, choices=[r.value for r in Role])
    kc.add_argument("--name", "--label", dest="name", help="the holder's name (audit log)")
    _common(kc)
    _common(ksub.add_parser("list", help="list keys"))
    kr = ksub.add_parser("revoke", help="revoke a key")
    kr.add_argument("key_id")
    _common(kr)

    imp = sub.add_parser("import", help="bulk import")
    imp.add_argument("what", choices=["registry", "invoices", "scenario"])
    imp.add_argument("file")
    imp.add_argument("--buyer", help="invoices: the buyer unit code when the file has none")
    _common(imp)

    st = sub.add_parser("statements", help="award statements (结算单)")
    ssub = st.add_subparsers(dest="action", required=True)
    sr = ssub.add_parser("run", help="recompute and settle every clause and open period")
    sr.add_argument("--clause")
    sr.add_argument("--period")
    sr.add_argument("--as-of", type=dt.date.fromisoformat, help="day (default: today)")
    _common(sr)
    sl = ssub.add_parser("list", help="list statements")
    sl.add_argument("--clause")
    sl.add_argument("--period")
    sl.add_argument("--status")
    _common(sl)
    ss = ssub.add_parser("show", help="a statement with its lines and explanations")
    ss.add_argument("statement_id", type=int)
    _common(ss)
    se = ssub.add_parser("export", help="a statement as XLSX or CSV (Chinese headers)")
    se.add_argument("statement_id", type=int)
    se.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    se.add_argument("--lang", choices=["zh", "en"], default="zh")
    se.add_argument("-o", "--output", help="file (default: its own name here; - for stdout)")
    _common(se)

    exp = sub.add_parser("export", help="export the live facts")
    exp.add_argument("what", choices=["scenario"])
    exp.add_argument("--as-of", type=dt.date.fromisoformat, help="day (default: today)")
    exp.add_argument("-o", "--output", help="file (default: standard output)")
    _common(exp)

    sub.add_parser("simulate", help="compute awards for scenario files", add_help=False)
    sub.add_parser("policy", help="show the shipped policy's parameters", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    lang, args_list = pop_lang(list(sys.argv[1:] if argv is None else argv))
    with speaking(lang):
        return _main(args_list)


def _main(args_list: list[str]) -> int:
    verbose = bool(args_list) and args_list[0] in ("serve", "demo")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # A line per job run every few seconds drowns what an operator needs to see.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # simulate and policy have grammars of their own in incentives/.
    if args_list and args_list[0] == "simulate":
        return cmd_simulate(args_list[1:])
    if args_list and args_list[0] == "policy":
        return cmd_policy(args_list[1:])
    args = build_parser().parse_args(args_list)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "serve": cmd_serve, "demo": cmd_demo, "db": cmd_db, "keys": cmd_keys,
        "import": cmd_import, "export": cmd_export, "statements": cmd_statements,
    }  # fmt: skip
    try:
        return handlers[args.command](args)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Problem as problem:
        print(f"error: {problem.detail}", file=sys.stderr)
        for line in iter_errors(problem):
            print(f"  {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
