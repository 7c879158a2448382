"""``auction-service``: serve, manage staff, migrate.

The composition root: the only place that wires the service (``auction_service``) and the bidder side
(``bidder_client``: the web client's files, the demo's simulated bidders) together.

Manners: a bad setting, an unreachable or missing database, a taken port are one line on stderr saying
what is wrong and how to fix it, with exit code 2 (``problems.py``); anything unforeseen is one line
naming the exception, exit code 1. ``--debug`` (or ``AUCTION_DEBUG=1``) adds the traceback to either."""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
import sys
import textwrap
import traceback
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from auction_service.config import Settings

from .documents_commands import documents_app
from .problems import Problem, database_errors, describe_database
from .settings import settings_for

DISTRIBUTION = "judicial-auction-simulator"


class Lane(StrEnum):
    """How ``simulate`` reaches the platform (``auction_cli/simulate.py``, ``LANES``)."""

    api = "api"
    rules = "rules"


class _Cli(typer.Typer):
    """The ``auction-service`` command: a ``Problem`` ends it with one line on stderr and exit code 2;
    anything unforeseen with one line naming it and exit code 1. ``--debug`` prints the traceback too."""

    debug = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Problem as problem:
            if _Cli.debug:
                traceback.print_exception(problem)
            typer.echo(f"error: {problem}", err=True)
            sys.exit(2)
        except Exception as exc:
            if _Cli.debug:
                traceback.print_exception(exc)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            hint = "" if _Cli.debug else " (run again with --debug for the traceback)"
            typer.echo(f"error: unexpected {type(exc).__name__}: {first}{hint}", err=True)
            sys.exit(1)


# Plain help (click's), not rich's boxed panels: at 80 columns those squeezed each option's text into a
# narrow column, cut environment variable names and showed "<bool>" beside plain flags.
PLAIN_HELP: dict[str, Any] = {"rich_markup_mode": None}

app = _Cli(
    help="Online judicial auction platform simulator.",
    no_args_is_help=True,
    **PLAIN_HELP,
    pretty_exceptions_show_locals=False,  # locals may hold passwords and keys
)
staff_app = typer.Typer(help="Court staff accounts.", no_args_is_help=True, **PLAIN_HELP)
admin_app = typer.Typer(help="Platform administrators (span all courts).", no_args_is_help=True, **PLAIN_HELP)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True, **PLAIN_HELP)
app.add_typer(staff_app, name="staff")
app.add_typer(admin_app, name="admin")
app.add_typer(db_app, name="db")
audit_app = typer.Typer(
    help="The tamper-evident record: bid chains, action logs, case files.", no_args_is_help=True, **PLAIN_HELP
)
app.add_typer(audit_app, name="audit")
app.add_typer(documents_app, name="documents", short_help="Lot documents' files: export, verify, remove unused.")
stats_app = typer.Typer(help="Court statistics and reports.", no_args_is_help=True, **PLAIN_HELP)
app.add_typer(stats_app, name="stats")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="the database to use (default: AUCTION_DATABASE_URL, else ./auction.db; the demo's: ./demo.db)",
        show_default=False,
    ),
]


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"auction-service {version()}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="AUCTION_DEBUG", help="on a failure, print the full traceback too")
    ] = False,
) -> None:
    """Online judicial auction platform simulator."""
    _Cli.debug = debug


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            show_default=False,
            help="port to listen on (default 8000; --demo: the first free from 8000)",
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="a simulated market: its past, then live auctions with calibrated bidders")
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="with --demo: delete the demo's database first and start afresh")
    ] = False,
    database_url: DatabaseUrl = None,
    log_level: Annotated[
        Literal["debug", "info", "warning", "error", "critical"],
        typer.Option(envvar="AUCTION_LOG_LEVEL", case_sensitive=False, help="least severe log level written"),
    ] = "info",
    log_format: Annotated[
        Literal["json", "text"] | None,
        typer.Option(
            envvar="AUCTION_LOG_FORMAT",
            show_default=False,
            help="json: one object per line, for collectors (the default); text: for people (--demo's default)",
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log", envvar="AUCTION_ACCESS_LOG", help="a log line per request (with its id)"
        ),
    ] = False,
) -> None:
    """Apply migrations and start the service."""
    from auction_service.logs import uvicorn_options

    from . import ports

    settings = settings_for(database_url, demo=demo)
    if reset and not demo:
        raise Problem("--reset starts the demo afresh and goes with --demo (it never empties another database)")
    if demo:  # one demo per database, held until the process ends; said before a port is taken or data reset
        from .demo_lock import hold_demo_lock

        hold_demo_lock(settings.database_url)
    # Bound before anything is announced: a taken port is said before any URL is printed.
    if port is None and demo:
        sock = ports.bind_free(host, ports.DEFAULT_PORT)
        if ports.port_of(sock) != ports.DEFAULT_PORT:
            typer.echo(f"demo: port {ports.DEFAULT_PORT} is taken; using {ports.port_of(sock)}")
    else:
        sock = ports.bind(host, ports.DEFAULT_PORT if port is None else port)
    port = ports.port_of(sock)
    try:
        logs = uvicorn_options(log_level, log_format or ("text" if demo else "json"), access_log)
        _serve(settings, sock, host, port, demo=demo, reset=reset, logs=logs)
    finally:
        sock.close()


def _serve(
    settings: Settings, sock: Any, host: str, port: int, *, demo: bool, reset: bool, logs: dict[str, Any]
) -> None:
    from auction_service.app import create_app
    from auction_service.live.serving import LiveServer, server_config
    from bidder_client import WEB_ROOT

    url = settings.database_url
    if demo and settings.rules != "sandbox":
        typer.echo("demo: seeding with the judicial-2016 rules (history is back-dated so listings stay legal)")
    with database_errors(url):
        if reset:
            from .database import reset as reset_database

            typer.echo(f"demo: {asyncio.run(reset_database(url))}")
        asyncio.run(_upgrade(url))
        if demo:
            from .demo import prepare

            typer.echo(f"demo: data kept in {describe_database(url)} (start afresh: --reset)")
            asyncio.run(prepare(url, say=typer.echo))
    application = create_app(settings, web_root=WEB_ROOT)
    if demo:
        from .demo import demo_hook

        base_url = f"http://{_client_host(host)}:{port}"
        application.state.startup_hooks.append(demo_hook(base_url, live=settings.demo_bots))
    application.state.startup_hooks.append(_freeze_heap)
    shown = _client_host(host) if host in ("0.0.0.0", "::", "") else host
    typer.echo(f"Web client: http://{shown}:{port}/   API docs: http://{shown}:{port}/docs")
    config = server_config(application, host, port, settings, **logs)  # logs: level, format, access log
    # LiveServer: live-feed sockets get close code 1001 on shutdown (plain uvicorn sends 1012 first).
    LiveServer(config).run(sockets=[sock])


def _client_host(host: str) -> str:
    """Where a client on this machine reaches a server listening on ``host``."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def _freeze_heap(_services: object) -> None:
    """Once started, move every object alive (modules, the app, compiled SQL, settings...) out of the
    garbage collector's sight: they live as long as the process, and a full collection that walks them
    all stalled every request in flight for tens of milliseconds (p99 at half throughput across 100
    auctions went from ~70 ms to ~13 ms with collections out of the way, docs/benchmarks.md). Objects
    made later are still collected as usual."""
    gc.collect()
    gc.freeze()


async def _upgrade(url: str) -> None:
    from auction_service.db import migrate
    from auction_service.db.connection import create_database

    db = create_database(url)
    try:
        await migrate.upgrade(db.write)
    finally:
        await db.dispose()


async def _add_account(
    url: str,
    court: str | None,
    username: str,
    password: str,
    role: str,
    real_name: str,
    regions: dict[str, str | None] | None = None,
) -> None:
    from auction_service.clock import SimulatedClock
    from auction_service.core import accounts
    from auction_service.db.connection import create_database

    await _upgrade(url)
    db = create_database(url)
    clock = SimulatedClock()
    try:
        async with db.sessions(write=True)() as session:
            court_row = await accounts.get_or_create_court(session, clock, court, **(regions or {})) if court else None
            court_id = court_row.id if court_row else None
            await accounts.create_account(
                session, clock, username=username, password=password, real_name=real_name, role=role, court_id=court_id
            )
            await session.commit()
    finally:
        await db.dispose()


def _run_account(
    database_url: str | None,
    court: str | None,
    username: str,
    password: str | None,
    role: str,
    real_name: str,
    regions: dict[str, str | None] | None = None,
) -> None:
    from auction_rules.errors import RuleViolation

    from .credentials import checked_username, new_password

    url = settings_for(database_url).database_url
    username = checked_username(username)
    secret = new_password(password)
    try:
        with database_errors(url):
            asyncio.run(_add_account(url, court, username, secret, role, real_name, regions))
    except RuleViolation as exc:
        typer.echo(f"error: {exc.message} ({exc.code})", err=True)
        raise typer.Exit(1) from None


PasswordOption = Annotated[
    str | None,
    typer.Option(
        help="deprecated (visible in the process list): set AUCTION_NEW_PASSWORD or answer the hidden prompt",
        show_default=False,
    ),
]


@staff_app.command("add")
def staff_add(
    court: Annotated[str, typer.Option(help="court name (created if new)")],
    username: Annotated[str, typer.Option(help="3 to 64 letters, digits, '_', '.', '-'")],
    password: PasswordOption = None,
    real_name: Annotated[str, typer.Option(help="shown on records")] = "",
    database_url: DatabaseUrl = None,
    province: Annotated[str | None, typer.Option(help="the court's province (e.g. 广东省), for statistics")] = None,
    city: Annotated[str | None, typer.Option(help="the court's city (e.g. 深圳市)")] = None,
    level: Annotated[
        str | None, typer.Option(help="basic, intermediate, high or supreme (基层/中级/高级/最高)")
    ] = None,
) -> None:
    """Create a court (if new) and a staff account of that court. The password comes from
    AUCTION_NEW_PASSWORD or a hidden prompt (8 to 128 characters, as for every account). --province,
    --city and --level set the court's region and level (statistics group by them)."""
    regions = {"province": province, "city": city, "level": level}
    _run_account(database_url, court, username, password, "staff", real_name or username, regions)
    typer.echo(f"staff {username} of {court} created")


@admin_app.command("add")
def admin_add(
    username: Annotated[str, typer.Option(help="3 to 64 letters, digits, '_', '.', '-'")],
    password: PasswordOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a platform administrator (acts in every court). The password comes from
    AUCTION_NEW_PASSWORD or a hidden prompt (8 to 128 characters)."""
    _run_account(database_url, None, username, password, "admin", username)
    typer.echo(f"admin {username} created")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply Alembic migrations to the configured database (a SQLite file is created if missing)."""
    url = settings_for(database_url).database_url
    with database_errors(url):
        asyncio.run(_upgrade(url))
    typer.echo(f"{describe_database(url)} is at the latest schema")


@app.command(short_help="Simulate a court market in fast-forward (calibrated bidders and clerks).")
def simulate(
    scenario: Annotated[str, typer.Argument(help="a shipped scenario (see --list) or a path to a .toml file")] = "",
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    runs: Annotated[
        int,
        typer.Option(
            min=1, max=10_000, help="repeat with derived seeds; each figure and target: mean and 95% interval"
        ),
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes for --runs")] = 1,
    lots: Annotated[
        int | None,
        typer.Option(min=1, max=1_000_000, help="scale the scenario's courts to about this many lots (cheaper runs)"),
    ] = None,
    out: Annotated[Path, typer.Option(help="folder for figures.json, auctions.csv and report.html")] = Path(
        "simulation"
    ),
    url: Annotated[
        str | None, typer.Option(help="drive a running service at this URL in its own time instead of in process")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="list the shipped scenarios and exit")] = False,
    timings: Annotated[
        bool, typer.Option("--timings", help="print where the wall time went, per kind of API call")
    ] = False,
    experiment_file: Annotated[
        Path | None, typer.Argument(help="with SCENARIO 'experiment': the experiment's TOML file")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="experiments: run on the Dask cluster at this address (tcp://host:8786)")
    ] = None,
    lane: Annotated[
        Lane,
        typer.Option(
            help="api: the whole service in process, through its API and database (the default); rules: the "
            "same decisions by the rules alone, in memory, about ten times faster and with identical records "
            "(for sweeps; no database is left behind)"
        ),
    ] = Lane.api,
) -> None:
    """Simulate a court market: calibrated bidders and court staff through the service's real code, on a
    virtual clock that jumps from event to event (in process, SQLite unless AUCTION_DATABASE_URL).
    `simulate experiment FILE.toml` runs an experiment: variants of the rules or the scenario over common
    seeds, on local processes (--workers, default one per CPU) or a Dask cluster (--scheduler)."""
    if scenario == "experiment":
        _simulate_experiment(experiment_file, workers if workers > 1 else None, scheduler, out, lane.value)
        return
    from auction_sim import scenario as scenarios
    from auction_sim.platform import PlatformError
    from auction_sim.report import write_report
    from auction_sim.tables import write as write_tables

    from .simulate import default_database_url
    from .simulate import simulate as run_simulation

    if list_ or not scenario:
        width = max(60, min(110, shutil.get_terminal_size().columns))
        for name in scenarios.shipped():  # the description's first sentence, wrapped between words
            first = " ".join(scenarios.load(name).description.split()).split(". ")[0].rstrip(".")
            typer.echo(textwrap.fill(f"{name:18s} {first}", width=width, subsequent_indent=" " * 19))
        if not list_:
            typer.echo("usage: auction-service simulate SCENARIO [--seed N] [--runs R] [--workers W] [--out DIR]")
        return
    settings_for()  # a bad AUCTION_* setting is one line here too, not a traceback from inside a run
    try:
        loaded = scenarios.scaled(scenarios.load(scenario), lots)
    except scenarios.ScenarioError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    staff_password = os.environ.get("AUCTION_SIM_STAFF_PASSWORD", "")
    database_url = _database_of(lane, url, default_database_url())
    if url and not staff_password:
        typer.echo(
            "error: --url needs AUCTION_SIM_STAFF_PASSWORD, the password of the simulator's clerk accounts", err=True
        )
        raise typer.Exit(2)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    unit = "runs" if runs > 1 else "lots concluded"
    with Progress(
        TextColumn(f"{loaded.name}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("simulate", total=runs if runs > 1 else loaded.lots)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = run_simulation(
                loaded,
                seed=seed, runs=runs, workers=workers, url=url, staff_password=staff_password,
                database_url=database_url, progress=progress, lane=lane.value,
            )  # fmt: skip
        except PlatformError as exc:
            typer.echo(f"error: the platform refused a step of the simulation: {exc}", err=True)
            raise typer.Exit(1) from None
    figures = result.figures()
    paths = write_report(out, figures)
    write_tables(out / "tables", result.frames())
    _print_summary(loaded.name, figures, runs, result.seeds, result.wall_seconds)
    typer.echo(f"report: {paths['report']}  tables (Parquet, CSV): {out / 'tables'}")
    if timings and result.timings:
        _print_timings(result.timings, result.wall_seconds, result.cpu_seconds, lane)


def _database_of(lane: Lane, url: str | None, database_url: str | None) -> str | None:
    """The database a run of ``lane`` fills: ``AUCTION_DATABASE_URL``'s in the default lane; none in the
    rules lane, which keeps none (a database set for the service, as the README's PostgreSQL set-up
    leaves it, is said to be unused, not an error). The rules lane runs in process: ``--url`` is refused."""
    if lane is Lane.api:
        return database_url
    if url:
        typer.echo("error: --url drives a running service; --lane rules runs in process only", err=True)
        raise typer.Exit(2)
    if database_url:
        typer.echo("note: --lane rules keeps no database; AUCTION_DATABASE_URL is not used by this run", err=True)
    return None


def _simulate_experiment(
    file: Path | None, workers: int | None, scheduler: str | None, out: Path, lane: str = "api"
) -> None:
    """``simulate experiment FILE.toml``: run it, write its folder, print where the report is."""
    from auction_sim.experiment import ExperimentError, load_experiment

    from .experiments import run_experiment, write_experiment

    if file is None:
        typer.echo("usage: auction-service simulate experiment FILE.toml [--workers N] [--scheduler ADDR]", err=True)
        raise typer.Exit(2)
    try:
        experiment = load_experiment(file)
    except ExperimentError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = len(experiment.variants) * len(experiment.seeds)
    with Progress(
        TextColumn(experiment.name), BarColumn(), MofNCompleteColumn(), TextColumn("runs"), TimeElapsedColumn()
    ) as bar:
        task = bar.add_task("experiment", total=total)
        result = run_experiment(
            experiment,
            workers=workers,
            scheduler=scheduler,
            progress=lambda done, _total: bar.update(task, completed=done),
            lane=lane,
        )
    target = out if out != Path("simulation") else Path(f"experiment-{experiment.name}")
    paths = write_experiment(target, result)
    typer.echo(
        f"{experiment.name}: {len(experiment.variants)} variants x {len(experiment.seeds)} seeds in "
        f"{result.wall_seconds:.1f} s on {result.where}"
    )
    typer.echo(f"report: {paths['report']}  tables: {target / 'tables'}")


def _print_summary(name: str, figures: dict, runs: int, seeds: list[int], wall_seconds: float) -> None:
    """The run's headline figures and each target met or missed over the runs, in a few lines."""
    summary = figures["summary"]
    if runs > 1:
        typer.echo(f"{runs} runs (seeds {seeds[0]}...); first run:")
    typer.echo(
        f"{name}: {summary['auctions']} auctions, {summary['sold']} sold, transaction rate "
        f"{_pct(summary['transaction_rate'])} (by lot concluded {_pct(summary['transaction_rate_by_lot'])}, "
        f"{summary['lots_under_way']} of {summary['lots_listed']} lots still under way at the horizon), median "
        f"premium over start {_pct(summary['premium_rate_over_start_median'])}, {wall_seconds:.1f} s"
    )
    if figures["targets"]:
        typer.echo(f"targets over {runs} run(s): mean [95% interval] against the band; met = mean in the band and "
                   "the interval overlaps it")  # fmt: skip
    for t in figures["targets"]:
        mark = "met " if t["met"] else "MISS"
        scope = f" ({t['category']})" if t.get("category") else ""
        interval = f" [{_num(t['low'])}, {_num(t['high'])}]" if t.get("low") is not None else ""
        typer.echo(
            f"  {mark} {t['name']}{scope} per {t['per']}: {_num(t['mean'])}{interval} "
            f"(band {_num(t['band'][0])}..{_num(t['band'][1])})"
        )


def _print_timings(timings: dict, wall_seconds: float, cpu_seconds: float, lane: Lane = Lane.api) -> None:
    """Where the first run's wall time went (``--timings``): the phases of the run (start-up, accounts,
    the market's own work, shut-down) and each kind of API call."""
    from auction_sim.platform import PHASE

    calls = {k: v for k, v in timings.items() if not k.startswith(PHASE)}
    phases = {k.removeprefix(PHASE): v[1] for k, v in timings.items() if k.startswith(PHASE)}
    api = sum(seconds for _, seconds in calls.values())
    bids = calls.get("POST /auctions/{id}/bids", [0, 0.0])[0]
    typer.echo(f"wall {wall_seconds:.1f} s, CPU {cpu_seconds:.1f} s (user + system); {bids:.0f} bids")
    accounts = sum(v for k, v in phases.items() if k.startswith("accounts"))
    run = phases.pop("the run: the market and its API calls", None)
    for phase, seconds in phases.items():
        typer.echo(f"  {phase:52s} {seconds:8.2f} s")
    if run is not None:
        typer.echo(f"  {'the market: kernel, agents, records (the run less calls)':52s} {run - api - accounts:8.2f} s")
    where = "in process, through the ASGI app" if lane is Lane.api else "the rules lane, in memory"
    typer.echo(f"  {f'API calls ({where})':52s} {api:8.2f} s")
    for kind, (n, seconds) in sorted(calls.items(), key=lambda kv: -kv[1][1]):
        typer.echo(f"    {kind:36s} {n:8.0f} calls {seconds:8.2f} s {1000 * seconds / n:7.2f} ms each")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


@audit_app.command("verify")
def audit_verify(
    auction: Annotated[int | None, typer.Option(help="one auction id (default: every auction)")] = None,
    case_file: Annotated[
        Path | None, typer.Option("--case-file", help="check an exported case file (zip) instead; no database")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="with --case-file: the service's public key (PEM or base64, from GET /api/v1/case-file-key); "
            "default: this machine's service key (AUCTION_CASE_FILE_KEY or the documents directory's)",
            show_default=False,
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute every bid hash chain and every court's action-log chain, and hold the deposits, the
    settlements and the lots' dispositions to what those chains record; exit 1 if anything was altered,
    removed or inserted. Reads an existing database only (never creates one). With ``--case-file``: check
    an exported case file's signature, digests, chains, result and deposits, without any database."""
    if case_file is not None:
        _verify_case_file(case_file, key, database_url)
        return
    from auction_service.core.action_log import verify_chains
    from auction_service.core.audit import verify_all, verify_auction, verify_records
    from auction_service.db.connection import create_database

    from .database import require_schema

    url = settings_for(database_url).database_url

    async def run() -> tuple[dict, list, list]:
        await require_schema(url)
        db = create_database(url)
        try:
            async with db.sessions(write=False)() as session:
                if auction is not None:
                    return {auction: await verify_auction(session, auction)}, [], await verify_records(session, auction)
                return await verify_all(session), await verify_chains(session), await verify_records(session)
        finally:
            await db.dispose()

    typer.echo(f"checking {describe_database(url)}")
    with database_errors(url):
        reports, chains, records = asyncio.run(run())
    if _print_audit(reports, chains, records, every=auction is None):
        raise typer.Exit(1)


def _print_audit(reports: dict, chains: list, records: list[str], *, every: bool) -> bool:
    """The database audit's lines; True when anything was tampered with."""
    broken = 0
    for auction_id, report in reports.items():
        if report.valid:
            typer.echo(f"auction {auction_id}: ok, {report.bids} bids, head {report.head[:16]}")
        else:
            broken += 1
            typer.echo(f"auction {auction_id}: TAMPERED at seq {report.first_bad_seq}: {report.problem}")
    typer.echo(f"{len(reports)} auctions checked, {broken} with a broken chain")
    broken_logs = 0
    for chain in chains:
        where = f"court {chain.chain}" if chain.chain else "platform"
        if chain.valid:
            typer.echo(f"action log of {where}: ok, {chain.entries} actions, head {chain.head[:16]}")
        else:
            broken_logs += 1
            typer.echo(f"action log of {where}: TAMPERED at seq {chain.first_bad_seq}: {chain.problem}")
    if every:
        typer.echo(f"{len(chains)} action logs checked, {broken_logs} with a broken chain")
    for problem in records:
        typer.echo(f"TAMPERED: {problem}")
    typer.echo(f"deposits, settlements and dispositions: {len(records)} disagree with the chains")
    return bool(broken or broken_logs or records)


@audit_app.command("key")
def audit_key(database_url: DatabaseUrl = None) -> None:
    """Print the public key that checks this service's case-file signatures (the one ``GET
    /api/v1/case-file-key`` publishes), generating the service's key if it has none yet."""
    from auction_service.core.case_file_key import key_path, signing_key

    settings = settings_for(database_url)
    path, why = key_path(settings)
    try:
        key = signing_key(settings)
    except (OSError, ValueError) as exc:
        raise Problem(f"cannot read or create the case-file key {path} ({why}): {exc}") from None
    typer.echo(f"case-file signing key: {path} ({why})")
    typer.echo(f"algorithm Ed25519, key id {key.key_id}")
    typer.echo(f"public key (base64): {key.public_base64}")
    typer.echo(key.public_pem.rstrip())


def _trusted_key(key: Path | None, database_url: str | None) -> tuple[bytes, str]:
    """The key a case file's signature is checked against, and where it came from."""
    from auction_service.contract.case_file import public_key_of
    from auction_service.core.case_file_key import key_path

    if key is None:
        path, _why = key_path(settings_for(database_url))
        if not path.exists():
            raise Problem(
                f"no key to check the signature against: this machine has no service key at {path}; give the "
                "service's public key with --key FILE (GET /api/v1/case-file-key publishes it)"
            )
        key, where = path, f"the service's key {path}"
    else:
        where = str(key)
    try:
        return public_key_of(key.read_bytes()), where
    except OSError as exc:
        raise Problem(f"cannot read the key {key}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise Problem(f"{key} is not an Ed25519 key ({exc})") from None


def _verify_case_file(path: Path, key: Path | None, database_url: str | None) -> None:
    """``audit verify --case-file``: the signature, the manifest's digests, the chains, the result and
    the deposits. A damaged archive is one line."""
    from auction_service.contract.case_file import verify_case_file

    try:
        data = path.read_bytes()
    except OSError as exc:
        typer.echo(f"cannot read {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    trusted, where = _trusted_key(key, database_url)
    report = verify_case_file(data, trusted)
    if report.damaged:
        typer.echo(f"case file {path.name} FAILED: {report.problems[0]}")
        raise typer.Exit(1)
    typer.echo(f"case file {path.name}: auction {report.auction_id}, manifest sha256 {report.digest}")
    typer.echo(f"  {report.files} files, {report.bids} bids (chain head {report.head}), {report.actions} actions")
    if report.signed_by:
        typer.echo(f"  signed by key {report.signed_by} ({where})")
    for problem in report.problems:
        typer.echo(f"  PROBLEM: {problem}")
    typer.echo("case file ok" if report.valid else "case file FAILED verification")
    if not report.valid:
        raise typer.Exit(1)


async def _server_now(session: Any) -> Any:
    """The service's clock as the database anchors it (a demo's runs fast), read without writing."""
    import time
    from datetime import UTC, datetime

    from auction_service.db.models import ClockAnchor

    anchor = await session.get(ClockAnchor, 1)
    real_ms = int(time.time() * 1000)
    if anchor is None or anchor.anchor_sim_ms is None or anchor.anchor_real_ms is None:
        return datetime.fromtimestamp(real_ms / 1000, UTC)
    sim_ms = max(anchor.sim_ms, anchor.anchor_sim_ms + int((real_ms - anchor.anchor_real_ms) * anchor.speed))
    return datetime.fromtimestamp(sim_ms / 1000, UTC)


@stats_app.command("report")
def stats_report(
    month: Annotated[str, typer.Option(help="the calendar month, YYYY-MM (China time)")],
    court: Annotated[str | None, typer.Option(help="one court (name or id); default: every court")] = None,
    out: Annotated[
        Path | None, typer.Option(help="write here; .pdf, .csv or .json by its suffix (default: CSV on stdout)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The monthly 司法网拍 report to the higher court (``GET /api/v1/stats/court-report``), read straight
    from the database: per court and category, rounds, rates, amounts, 以物抵债 and 执行到位."""
    from auction_rules.errors import RuleViolation
    from auction_service.contract.court_report import court_report_csv, court_report_json
    from auction_service.core.court_report import court_report, render_pdf
    from auction_service.core.security import Principal
    from auction_service.db.connection import create_database

    from .database import require_schema

    url = settings_for(database_url).database_url
    suffix = out.suffix.lower() if out is not None else ".csv"
    if suffix not in (".pdf", ".csv", ".json"):
        raise Problem(f"--out {out}: name a .pdf, .csv or .json file")

    async def run() -> Any:
        await require_schema(url)
        db = create_database(url)
        try:
            async with db.sessions(write=False)() as session:
                now = await _server_now(session)
                reader = Principal(0, "auction-service", "admin", None, float("inf"))
                return await court_report(session, reader, month, court, now)
        finally:
            await db.dispose()

    try:
        with database_errors(url):
            report = asyncio.run(run())
        if suffix == ".pdf":
            data = render_pdf(report)
        elif suffix == ".json":
            import orjson

            data = orjson.dumps(court_report_json(report), option=orjson.OPT_INDENT_2)
        else:
            data = court_report_csv(report).encode("utf-8-sig" if out is not None else "utf-8")
    except RuleViolation as exc:
        raise Problem(f"{exc.message} ({exc.code})") from None
    if out is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    out.write_bytes(data)
    typer.echo(f"{out}: report of {report.month} ({report.court or 'every court'}), {len(report.rows)} rows")


if __name__ == "__main__":
    app()
