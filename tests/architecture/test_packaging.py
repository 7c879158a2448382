"""The wheel's package list in pyproject.toml is written out (``[tool.setuptools] packages``), because the
migrations live in ``alembic/`` at the top of the repository and ship as ``auction_service.db.migrations``
(a ``package-dir`` mapping, which setuptools' package discovery cannot express). A folder added to a
package without being listed would silently be missing from the wheel: this test names it. The
migrations themselves are proved by scripts/check_wheel.sh (an installed wheel upgrades a database).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("auction_rules", "auction_service", "bidder_client", "auction_sim", "auction_cli")


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folders_as_packages() -> set[str]:
    """Every folder under the top-level packages, as the dotted name the wheel installs it under."""
    names = set()
    for top in TOP_LEVEL:
        for folder in [ROOT / top, *(ROOT / top).rglob("*")]:
            if folder.is_dir() and folder.name != "__pycache__" and not folder.name.startswith("."):
                names.add(".".join(folder.relative_to(ROOT).parts))
    for folder in [ROOT / "alembic", *(ROOT / "alembic").rglob("*")]:
        if folder.is_dir() and folder.name != "__pycache__":
            names.add(".".join(("auction_service", "db", "migrations", *folder.relative_to(ROOT / "alembic").parts)))
    return names


def test_every_folder_of_the_packages_is_listed_for_the_wheel():
    listed = set(_setuptools()["packages"])
    missing = sorted(_folders_as_packages() - listed)
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_exists():
    mapped = _setuptools().get("package-dir", {})
    for name in _setuptools()["packages"]:
        parent = next((p for p in sorted(mapped, key=len, reverse=True) if name == p or name.startswith(p + ".")), None)
        path = Path(mapped[parent], *name[len(parent) :].split(".")[1:]) if parent else Path(*name.split("."))
        assert (ROOT / path).is_dir(), f"{name} is listed in pyproject.toml but {path} is not a folder"


def test_the_migrations_are_the_top_level_alembic_folder():
    assert _setuptools()["package-dir"] == {"auction_service.db.migrations": "alembic"}
    assert (ROOT / "alembic" / "env.py").is_file()
    assert not (ROOT / "alembic" / "__init__.py").exists(), "alembic/__init__.py would hide the alembic library"
