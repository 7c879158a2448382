"""Research profiles: the rules as experiment parameters.

A research profile starts from ``judicial-2016`` or ``sandbox`` and changes named quantities (the soft
close's window, a cap on extensions, the deposit and increment bounds, the price floors, the number of
rounds before 变卖, the waiting periods). It always carries its own name (``research:<label>``), so no
answer, record or report can pass an experiment off as the law: ``judicial-2016`` is refused any
override (``rules_are_the_law``).

Overrides are plain data (a TOML table, a JSON object): durations in whole seconds, shares as
``[numerator, denominator]``, ``null`` where the quantity may be unlimited. Every refusal names the key.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from .errors import RuleViolation, invalid
from .profiles import JUDICIAL_2016, PROFILES, RuleProfile

RESEARCH_PREFIX = "research:"
MAX_ROUNDS = 6


def _seconds(key: str, value: Any, *, allow_none: bool, allow_zero: bool = True) -> timedelta | None:
    if value is None and allow_none:
        return None
    least = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise invalid(
            "invalid_rule_override",
            f"{key} must be a whole number of seconds, at least {least}" + (", or null" if allow_none else ""),
            key=key,
        )
    return timedelta(seconds=value)


def _share(key: str, value: Any, *, allow_none: bool) -> tuple[int, int] | None:
    if value is None and allow_none:
        return None
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 < value[0] <= value[1]
    )
    if not ok:
        raise invalid(
            "invalid_rule_override",
            f"{key} must be a share [numerator, denominator] with 0 < numerator <= denominator"
            + (", or null" if allow_none else ""),
            key=key,
        )
    return (value[0], value[1])


def _count(key: str, value: Any, least: int, most: int | None, *, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least or (most is not None and value > most):
        bound = f"between {least} and {most}" if most is not None else f"at least {least}"
        raise invalid("invalid_rule_override", f"{key} must be a whole number {bound}", key=key)
    return value


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid("invalid_rule_override", f"{key} must be true or false", key=key)
    return value


Parser = Callable[[str, Any], Any]


def _duration(field: str, *, allow_none: bool, allow_zero: bool = True) -> tuple[str, Parser]:
    return field, lambda k, v: _seconds(k, v, allow_none=allow_none, allow_zero=allow_zero)


def _fraction(field: str, *, allow_none: bool = False) -> tuple[str, Parser]:
    return field, lambda k, v: _share(k, v, allow_none=allow_none)


# key of an override -> (the RuleProfile field it sets, how its value is read)
OVERRIDES: dict[str, tuple[str, Parser]] = {
    "extension_seconds": _duration("extension", allow_none=False),
    "extension_cap": ("extension_cap", lambda k, v: _count(k, v, 0, None, allow_none=True)),
    "increment_min": _fraction("increment_min", allow_none=True),
    "increment_max": _fraction("increment_max", allow_none=True),
    "deposit_min": _fraction("deposit_min"),
    "deposit_max": _fraction("deposit_max"),
    "first_round_floor": _fraction("first_round_floor"),
    "later_round_floor": _fraction("later_round_floor"),
    "auction_rounds": ("auction_rounds", lambda k, v: _count(k, v, 1, MAX_ROUNDS, allow_none=False)),
    "sale_offered": ("sale_offered", _flag),
    "complete_announcement": ("complete_announcement", _flag),
    "sale_window_seconds": _duration("sale_window", allow_none=True, allow_zero=False),
    "sale_countdown_seconds": _duration("sale_countdown", allow_none=False, allow_zero=False),
    "announce_round1_long_seconds": _duration("announce_round1_long", allow_none=True),
    "announce_round1_short_seconds": _duration("announce_round1_short", allow_none=True),
    "announce_later_long_seconds": _duration("announce_round2_long", allow_none=True),
    "announce_later_short_seconds": _duration("announce_round2_short", allow_none=True),
    "announce_vessel_seconds": _duration("announce_vessel", allow_none=True),
    "reauction_within_seconds": _duration("reauction_within", allow_none=True),
    "min_bidding_period_seconds": _duration("min_bidding_period", allow_none=True, allow_zero=False),
    "balance_deadline_seconds": _duration("balance_deadline", allow_none=False, allow_zero=False),
    "pause_limit_seconds": _duration("pause_limit", allow_none=False, allow_zero=False),
}


def _check_label(label: str) -> None:
    if not label or len(label) > 40 or not all(c.isalnum() or c in "-_." for c in label):
        raise invalid(
            "invalid_rule_override",
            "a research profile's label is 1-40 letters, digits, '-', '_' or '.'",
            key="label",
        )


def _check_consistent(profile: RuleProfile) -> None:
    def above(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
        return a is not None and b is not None and a[0] * b[1] > b[0] * a[1]

    if above(profile.deposit_min, profile.deposit_max):
        raise invalid("invalid_rule_override", "deposit_min is above deposit_max", key="deposit_min")
    if above(profile.increment_min, profile.increment_max):
        raise invalid("invalid_rule_override", "increment_min is above increment_max", key="increment_min")


def research_profile(base: str | RuleProfile, overrides: Mapping[str, Any], label: str) -> RuleProfile:
    """``base``'s quantities with ``overrides`` applied, named ``research:<label>``. Refuses an unknown
    key, a value of the wrong kind and bounds that contradict each other (``invalid_rule_override``)."""
    _check_label(label)
    start = base if isinstance(base, RuleProfile) else PROFILES.get(base)
    if start is None or start.base is not None:
        raise invalid(
            "invalid_rule_override",
            f"a research profile starts from one of {sorted(PROFILES)}, not {base!r}",
            key="base",
        )
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in OVERRIDES:
            raise invalid(
                "unknown_rule_override",
                f"{key!r} is not a quantity of the rules; choose from {', '.join(sorted(OVERRIDES))}",
                key=key,
            )
        field, parse = OVERRIDES[key]
        changes[field] = parse(key, value)
    profile = dataclasses.replace(
        start,
        name=RESEARCH_PREFIX + label,
        base=start.name,
        overrides=tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items())),
        **changes,
    )
    _check_consistent(profile)
    return profile


def profile_with(name: str, overrides: Mapping[str, Any] | None = None, *, base: str = "sandbox") -> RuleProfile:
    """The profile a setting or a scenario names: ``judicial-2016`` or ``sandbox`` as they are (any
    override refused: they are fixed), or ``research:<label>`` built from ``base`` and ``overrides``."""
    if name.startswith(RESEARCH_PREFIX):
        return research_profile(base, overrides or {}, name.removeprefix(RESEARCH_PREFIX))
    if name not in PROFILES:
        raise invalid(
            "unknown_rule_profile",
            f"unknown rule profile {name!r}; choose one of {sorted(PROFILES)} or research:<label>",
        )
    if overrides:
        law = " is the law and" if name == JUDICIAL_2016.name else ""
        raise invalid(
            "rules_are_the_law" if law else "profile_is_fixed",
            f"{name}{law} takes no override; name a research profile (research:<label>, based on {name}) "
            "to vary the rules",
        )
    return PROFILES[name]


def describe_overrides(profile: RuleProfile) -> dict[str, Any]:
    """The overrides as they were given (for answers and reports): empty for the fixed profiles."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in profile.overrides}


__all__ = ["OVERRIDES", "RESEARCH_PREFIX", "RuleViolation", "describe_overrides", "profile_with", "research_profile"]
