"""The architecture's import contracts (``[tool.importlinter]`` in pyproject.toml) hold, and each one
would catch a violation: a copy of the tree with one planted import must make ``lint-imports`` fail
on exactly that contract. Without the second half, a contract that matches nothing would pass for ever.
And every top-level module of the service sits in a layer of the ``layers`` contract: a module left out
of the layers may import anything and be imported by anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("auction_rules", "auction_service", "bidder_client", "auction_sim", "auction_cli", "loadtests")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# contract id -> (file to plant the import in, the import)
PLANTED = {
    "rules-pure": ("auction_rules/listing.py", "from auction_service.db import models"),
    "book-pure": ("auction_service/core/bidding/book.py", "import asyncio"),
    "layers": ("auction_service/core/bidding/lifecycle.py", "from auction_service.live import bus"),
    "transports-no-db": ("auction_service/api/misc.py", "from auction_service.db import models"),
    "bus-one-way": ("auction_service/live/bus.py", "from auction_service.live import redis_bus"),
    "service-client-independent": ("auction_service/clock.py", "import bidder_client"),
    "service-not-cli": ("auction_service/app.py", "import auction_cli"),
    # A cycle hidden behind a function-local import, as auction_cli/main.py and its documents group had.
    "no-cycles": ("auction_cli/documents_commands.py", "def _planted():\n    from auction_cli import main"),
    "agents-pure": ("auction_sim/clerks.py", "import httpx"),
    "loadtests-outside": ("loadtests/check.py", "import auction_service"),
}


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    args = [str(LINT_IMPORTS), "--no-cache"]
    for contract in contracts:
        args += ["--contract", contract]
    # The copy comes first on the path, ahead of the editable install of the real tree.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "reports", "web"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_every_contract_holds_on_the_tree():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(PLANTED)} kept, 0 broken" in result.stdout


def test_every_contract_is_tested_here():
    listed = {
        line.split('"')[1] for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("id = ")
    }
    assert listed == set(PLANTED)


@pytest.mark.parametrize("contract", sorted(PLANTED))
def test_a_planted_violation_breaks_the_contract(tree_copy: Path, contract: str):
    relative, statement = PLANTED[contract]
    target = tree_copy / relative
    original = target.read_text()
    target.write_text(original + f"\n{statement}  # planted by the architecture test\n")
    try:
        result = lint_imports(tree_copy, contract)
    finally:
        target.write_text(original)
    assert result.returncode != 0, f"{contract} did not notice `{statement}` in {relative}:\n{result.stdout}"
    assert "BROKEN" in result.stdout
    assert lint_imports(tree_copy, contract).returncode == 0, "the unplanted copy must pass again"


def unlayered_modules(tree: Path) -> set[str]:
    """The top-level modules and subpackages of ``auction_service`` in ``tree`` that no layer of its
    ``layers`` contract names."""
    config = tomllib.loads((tree / "pyproject.toml").read_text())
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    layered = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    package = tree / "auction_service"
    modules = {p.stem for p in package.glob("*.py") if p.name != "__init__.py"}
    modules |= {p.parent.name for p in package.glob("*/__init__.py")}
    return {f"auction_service.{m}" for m in modules} - layered


def test_every_top_level_module_of_the_service_is_in_a_layer():
    assert unlayered_modules(ROOT) == set()


def test_a_module_outside_the_layers_is_noticed(tree_copy: Path):
    planted = tree_copy / "auction_service" / "planted.py"
    planted.write_text('"""Planted by the architecture test."""\n')
    try:
        assert unlayered_modules(tree_copy) == {"auction_service.planted"}
    finally:
        planted.unlink()
