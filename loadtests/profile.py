"""Profile the bid path under load: a fresh service, the bench's seed (one hot auction or 100), wrk at
full load, and ``py-spy record`` on the server's pid; then the top costs from the collapsed stacks.

    .venv-load/bin/python -m loadtests.profile [--db sqlite|postgresql] [--shape hot|spread] [--seconds 10]

Writes ``<work dir>/profile.txt`` (collapsed stacks, for flame graph tools) and
``profile.speedscope.json``, and prints the functions with the most self and inclusive samples.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import bench, run

PY_SPY = Path(sys.executable).parent / "py-spy"


def summarize(collapsed: Path, top: int = 30) -> str:
    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    idle = 0
    for line in collapsed.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        count = int(n)
        total += count
        frames = stack.split(";")
        leaf = frames[-1]
        if ("select" in leaf and ("selectors" in leaf or "epoll" in leaf)) or "run_forever" in leaf:
            idle += count
        self_c[leaf] += count
        for f in set(frames):
            incl[f] += count
    out = [f"samples: {total} (idle in the event loop's poll: {idle}, {idle / max(total, 1):.0%})", ""]
    out.append("top self (leaf) frames:")
    for f, n in self_c.most_common(top):
        out.append(f"  {n / total:6.1%}  {f}")
    out.append("")
    out.append("top inclusive frames:")
    for f, n in incl.most_common(top * 2):
        out.append(f"  {n / total:6.1%}  {f}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtests.profile", description=__doc__)
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--shape", choices=("hot", "spread"), default="hot")
    p.add_argument("--seconds", type=int, default=10, help="profiled seconds (1-60)")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    p.add_argument("--gil", action="store_true", help="only samples of the thread holding the GIL (py-spy --gil)")
    args = p.parse_args(argv)
    if not 1 <= args.seconds <= 60:
        p.error("--seconds 1-60")
    if not PY_SPY.exists() or shutil.which("wrk") is None:
        p.error("needs py-spy in .venv-load (pip install py-spy) and wrk")
    workdir = Path(tempfile.mkdtemp(prefix="profile-"))
    with run.fresh_service(args.db, workdir, "prof") as svc:
        base, proc = svc.base, svc.proc
        auctions, per_bidder = (1, 1) if args.shape == "hot" else (bench.SPREAD_AUCTIONS, bench.PER_BIDDER_SPREAD)
        seeded = asyncio.run(bench.seed_bench(base, run.STAFF[0], auctions, per_bidder))
        data = workdir / "data.lua"
        bench.lua_data(seeded, per_bidder, data)
        run.wait_for_start({"auctions": [{"start_at": seeded["start_at"]}]}, base)
        bench.wrk(base, "bids.lua", args.connections, 2, [str(data)])  # warm-up
        wrk_cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds + 3}s"]
        wrk_cmd += ["-s", str(bench.WRK_DIR / "bids.lua"), base, "--", str(data)]
        load = subprocess.Popen(
            wrk_cmd,
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(1)
        collapsed = workdir / "profile.txt"
        common = ["--pid", str(proc.pid), "--duration", str(args.seconds), "--rate", str(args.rate), "--nonblocking"]
        if args.gil:
            common.append("--gil")
        subprocess.run([str(PY_SPY), "record", *common, "--format", "raw", "-o", str(collapsed)], check=True)
        out, _ = load.communicate(timeout=60)
        print(out.strip().splitlines()[-1] if out.strip() else "")
        print(summarize(collapsed))
        print(f"\ncollapsed stacks: {collapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
