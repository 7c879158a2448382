"""Usernames and passwords for accounts made on the command line (``staff add``, ``admin add``).

Why: a password given as ``--password`` is visible to every user of the machine (the process list) and
stays in the shell's history. It comes instead from a hidden prompt (typed twice) or from the
environment (``AUCTION_NEW_PASSWORD``, for scripts); ``--password`` still works for the scripts written
against ``docs/api-contract.md`` but warns. Either way the API's own policy applies
(``auction_service.api.schemas``: the same rules as a bidder's sign-up), so the command line cannot make
an account the API would refuse.
"""

from __future__ import annotations

import os
import sys

import typer
from pydantic import TypeAdapter, ValidationError

from auction_service.api.schemas import Password, Username

from .problems import Problem

PASSWORD_ENV = "AUCTION_NEW_PASSWORD"

_USERNAME = TypeAdapter(Username)
_PASSWORD = TypeAdapter(Password)
USERNAME_RULE = "3 to 64 characters: letters, digits, '_', '.' or '-'"
PASSWORD_RULE = "8 to 128 characters"


def checked_username(username: str) -> str:
    try:
        return _USERNAME.validate_python(username)
    except ValidationError:
        raise Problem(f"the username {username!r} is not allowed: use {USERNAME_RULE}") from None


def checked_password(password: str, source: str) -> str:
    try:
        return _PASSWORD.validate_python(password)
    except ValidationError:
        raise Problem(f"the password from {source} is not allowed: use {PASSWORD_RULE}") from None


def new_password(given: str | None) -> str:
    """The new account's password: ``--password`` (deprecated), else ``AUCTION_NEW_PASSWORD``, else a
    hidden prompt asked twice when a person is at the terminal."""
    if given is not None:
        typer.echo(
            f"warning: --password is deprecated (other users can read it in the process list); "
            f"set {PASSWORD_ENV} or let the command ask",
            err=True,
        )
        return checked_password(given, "--password")
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return checked_password(from_env, PASSWORD_ENV)
    if not sys.stdin.isatty():
        raise Problem(f"no password: set {PASSWORD_ENV} (or run the command in a terminal to be asked)")
    while True:
        typed = typer.prompt(f"Password ({PASSWORD_RULE})", hide_input=True, confirmation_prompt=True)
        try:
            return checked_password(typed, "the prompt")
        except Problem as problem:
            typer.echo(str(problem), err=True)
