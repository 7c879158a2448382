"""Schemathesis hooks for ``test_fuzz.py`` (loaded by ``st run`` through ``SCHEMATHESIS_HOOKS``): every
answer is counted in the file named by ``FUZZ_LOG``, every error answer must be the contract's
envelope ``{"error": {"code": snake_case, "message": text}}``, and no request the document calls valid
(schemathesis' positive mode) is refused by request validation.

Which refusals count as "valid data refused": 400, 415, and 422 with the code ``validation_error``
(the request-validation kind: the document said yes, the validator said no). Answers that no schema can
state are not counted: 401/403 (who may), 404 (what exists), 409 (the state: already registered, the
auction closed), 422 with a rule's own code (``bid_too_low``, ``deadline_passed``...), 429 (how often).
Schemathesis' built-in ``positive_data_acceptance`` counts every 422 alike, so this check replaces it;
each refusal is also written to ``FUZZ_LOG`` + ``.refused`` for the figures. No refusal is explained
away: a whole-number float (``"amount": 2486.0``), which JSON Schema calls an integer, is accepted as that
integer (``auction_service/contract/numbers.py``)."""

from __future__ import annotations

import os
import re

import schemathesis
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

CODE = re.compile(r"[a-z][a-z0-9_]*")
REQUEST_VALIDATION = "validation_error"


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


def _error_code(response) -> str | None:
    try:
        body = response.json()
    except Exception:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


@schemathesis.check
def valid_data_accepted(ctx, response, case) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or is_unexpected_http_status_case(case):
        return
    status = response.status_code
    if not (status in (400, 415) or (status == 422 and _error_code(response) == REQUEST_VALIDATION)):
        return
    with open(os.environ["FUZZ_LOG"] + ".refused", "a") as log:
        log.write(
            f"{status} {case.method} {case.path} {case.query!r} {case.body!r}"[:300] + f" {response.text[:300]}\n"
        )
    raise AssertionError(f"valid-by-schema request refused with {status}: {response.text[:300]}")
