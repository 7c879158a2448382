"""``auction-service``: serve, manage staff, migrate.

The composition root: the only place that wires the service (``auction_service``) and the bidder side
(``bidder_client``: the web client's files, the demo's simulated bidders) together."""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path
from typing import Annotated

import typer

from auction_service.config import get_settings

app = typer.Typer(help="Online judicial auction platform simulator.", no_args_is_help=True)
staff_app = typer.Typer(help="Court staff accounts.", no_args_is_help=True)
admin_app = typer.Typer(help="Platform administrators (span all courts).", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(admin_app, name="admin")
app.add_typer(db_app, name="db")
audit_app = typer.Typer(help="The tamper-evident bid record.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="a simulated market: its past, then live auctions with calibrated bidders")
    ] = False,
) -> None:
    """Apply migrations and start the service."""

    from auction_service.app import create_app
    from auction_service.live.serving import LiveServer, server_config
    from bidder_client import WEB_ROOT

    settings = get_settings()
    if demo and settings.rules != "sandbox":
        typer.echo("demo: seeding with the judicial-2016 rules (history is back-dated so listings stay legal)")
    asyncio.run(_upgrade(settings.database_url))
    if demo:
        from .demo import prepare

        typer.echo("demo: simulating the market's past (first start only)...")
        asyncio.run(prepare(settings.database_url))
    application = create_app(settings, web_root=WEB_ROOT)
    if demo:
        from .demo import demo_hook

        base_url = f"http://{_client_host(host)}:{port}"
        application.state.startup_hooks.append(demo_hook(base_url, live=settings.demo_bots))
    application.state.startup_hooks.append(_freeze_heap)
    typer.echo(f"Web client: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    config = server_config(application, host, port)
    # LiveServer: live-feed sockets get close code 1001 on shutdown (plain uvicorn sends 1012 first).
    LiveServer(config).run()


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
    from auction_service.db.engine import create_database

    db = create_database(url)
    try:
        await migrate.upgrade(db.write)
    finally:
        await db.dispose()


async def _add_account(court: str | None, username: str, password: str, role: str, real_name: str) -> None:
    from auction_service.clock import SimulatedClock
    from auction_service.core import accounts
    from auction_service.db.engine import create_database

    settings = get_settings()
    await _upgrade(settings.database_url)
    db = create_database(settings.database_url)
    clock = SimulatedClock()
    try:
        async with db.sessions(write=True)() as session:
            court_id = (await accounts.get_or_create_court(session, clock, court)).id if court else None
            await accounts.create_account(
                session, clock, username=username, password=password, real_name=real_name, role=role, court_id=court_id
            )
            await session.commit()
    finally:
        await db.dispose()


def _run_account(court: str | None, username: str, password: str, role: str, real_name: str) -> None:
    from auction_service.rules.errors import RuleViolation

    try:
        asyncio.run(_add_account(court, username, password, role, real_name))
    except RuleViolation as exc:
        typer.echo(f"error: {exc.message} ({exc.code})", err=True)
        raise typer.Exit(1) from None


@staff_app.command("add")
def staff_add(
    court: Annotated[str, typer.Option(help="court name (created if new)")],
    username: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    real_name: Annotated[str, typer.Option(help="shown on records")] = "",
) -> None:
    """Create a court (if new) and a staff account of that court."""
    _run_account(court, username, password, "staff", real_name or username)
    typer.echo(f"staff {username} of {court} created")


@admin_app.command("add")
def admin_add(
    username: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
) -> None:
    """Create a platform administrator (acts in every court)."""
    _run_account(None, username, password, "admin", username)
    typer.echo(f"admin {username} created")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations to the configured database."""
    asyncio.run(_upgrade(get_settings().database_url))
    typer.echo("database is at the latest schema")


@app.command()
def simulate(
    scenario: Annotated[str, typer.Argument(help="a shipped scenario (see --list) or a path to a .toml file")] = "",
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    runs: Annotated[
        int, typer.Option(min=1, max=10_000, help="repeat with derived seeds; figures get a 95% interval")
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes for --runs")] = 1,
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
) -> None:
    """Simulate a court market: calibrated bidders and court staff through the service's real code, on a
    virtual clock that jumps from event to event (in process, SQLite unless AUCTION_DATABASE_URL)."""
    from bidder_client.sim import scenario as scenarios
    from bidder_client.sim.platform import PlatformError
    from bidder_client.sim.report import write_report

    from .simulate import default_database_url
    from .simulate import simulate as run_simulation

    if list_ or not scenario:
        for name in scenarios.shipped():
            typer.echo(f"{name:18s} {scenarios.load(name).description.splitlines()[0][:90]}")
        if not list_:
            typer.echo("usage: auction-service simulate SCENARIO [--seed N] [--runs R] [--workers W] [--out DIR]")
        return
    try:
        loaded = scenarios.load(scenario)
    except scenarios.ScenarioError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    staff_password = os.environ.get("AUCTION_SIM_STAFF_PASSWORD", "")
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
                scenario if not Path(scenario).exists() else Path(scenario),
                seed=seed, runs=runs, workers=workers, url=url, staff_password=staff_password,
                database_url=default_database_url(), progress=progress,
            )  # fmt: skip
        except PlatformError as exc:
            typer.echo(f"error: the platform refused a step of the simulation: {exc}", err=True)
            raise typer.Exit(1) from None
    figures = result.figures()
    paths = write_report(out, figures)
    summary = figures["summary"]
    if runs > 1:
        typer.echo(f"{runs} runs (seeds {result.seeds[0]}...); targets against the mean over the runs; first run:")
    typer.echo(
        f"{loaded.name}: {summary['auctions']} auctions, {summary['sold']} sold, transaction rate "
        f"{_pct(summary['transaction_rate'])} (by lot {_pct(summary['transaction_rate_by_lot'])}), median premium "
        f"over start {_pct(summary['premium_rate_over_start_median'])}, {result.wall_seconds:.1f} s"
    )
    for target in figures["targets"]:
        mark = "ok  " if target["within"] else "MISS"
        wanted = f"{target['target']:g} ± {target['tolerance']:g}"
        typer.echo(f"  {mark} {target['name']}: {_num(target['value'])} (target {wanted})")
    typer.echo(f"report: {paths['report']}")
    if timings and result.timings:
        total = sum(seconds for _, seconds in result.timings.values())
        bids = result.timings.get("POST /auctions/{id}/bids", [0, 0.0])[0]
        typer.echo(f"API calls of the first run: {total:.1f} s of {result.wall_seconds:.1f} s wall; {bids:.0f} bids")
        for kind, (calls, seconds) in sorted(result.timings.items(), key=lambda kv: -kv[1][1]):
            typer.echo(f"  {kind:36s} {calls:8.0f} calls {seconds:8.2f} s {1000 * seconds / calls:7.2f} ms each")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


@audit_app.command("verify")
def audit_verify(
    auction: Annotated[int | None, typer.Option(help="one auction id (default: every auction)")] = None,
) -> None:
    """Recompute every bid hash chain; exit 1 if any bid was altered, removed or inserted."""
    from auction_service.core.audit import verify_all, verify_auction
    from auction_service.db.engine import create_database

    async def run() -> dict:
        db = create_database(get_settings().database_url)
        try:
            async with db.sessions(write=False)() as session:
                if auction is not None:
                    return {auction: await verify_auction(session, auction)}
                return await verify_all(session)
        finally:
            await db.dispose()

    reports = asyncio.run(run())
    broken = 0
    for auction_id, report in reports.items():
        if report.valid:
            typer.echo(f"auction {auction_id}: ok, {report.bids} bids, head {report.head[:16]}")
        else:
            broken += 1
            typer.echo(f"auction {auction_id}: TAMPERED at seq {report.first_bad_seq}: {report.problem}")
    typer.echo(f"{len(reports)} auctions checked, {broken} with a broken chain")
    if broken:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
