"""Schemathesis hooks for ``test_fuzz.py`` (loaded by ``st run`` through ``SCHEMATHESIS_HOOKS``): every
answer is counted in the file named by ``FUZZ_LOG``, and every error answer must be the contract's
envelope ``{"error": {"code": snake_case, "message": text}}``."""

from __future__ import annotations

import os
import re

import schemathesis

CODE = re.compile(r"[a-z][a-z0-9_]*")


@schemathesis.check
def error_envelope(ctx, response, case) -> None:
    with open(os.environ["FUZZ_LOG"], "a") as log:
        log.write(f"{response.status_code} {case.method} {case.path}\n")
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except Exception:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise AssertionError(f"{response.status_code} without the error envelope: {str(body)[:200]}")
    if not (isinstance(error.get("code"), str) and CODE.fullmatch(error["code"])):
        raise AssertionError(f"error code is not snake_case: {error.get('code')!r}")
    if not (isinstance(error.get("message"), str) and error["message"]):
        raise AssertionError("error message missing")
