"""Holding answers to the service's own OpenAPI document: each recorded answer must have a status the
operation declares, a body valid against the schema declared for that status (every object closed:
a key the schema does not name is a failure), a declared media type, and, for an error, a code the
operation lists among its examples."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import httpx
from jsonschema import Draft202012Validator

METHODS = ("get", "post", "put", "patch", "delete")


def closed(node: Any) -> Any:
    """A copy of a schema in which every object that lists its properties allows no others."""
    if isinstance(node, dict):
        out = {k: closed(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [closed(v) for v in node]
    return node


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return httpx.Response(self.status, content=self.body).json()


class Recorder:
    """Every answer an httpx client receives (an async response hook), in order."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.answers: list[Answer] = []
        client.event_hooks = {**client.event_hooks, "response": [*client.event_hooks["response"], self._record]}

    async def _record(self, response: httpx.Response) -> None:
        await response.aread()
        self.answers.append(
            Answer(
                response.request.method,
                response.request.url.path,
                response.status_code,
                response.headers.get("content-type", "").split(";")[0].strip(),
                response.content,
            )
        )


class Truth:
    """The OpenAPI document of a running app, and the check of an answer against it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = closed(spec.get("components", {}))
        routes = []
        for template, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            for method in METHODS:
                if method in item:
                    routes.append((template.count("{"), method, pattern, template, item[method]))
        self.routes = sorted(routes, key=lambda r: r[0])  # a literal path wins over a template

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for _params, m, pattern, template, op in self.routes:
            if m == method.lower() and pattern.match(path):
                return template, op
        return None

    def operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        return [(m, template, op) for _p, m, _r, template, op in self.routes]

    def validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator({**closed(schema), "components": self.components})

    def problems(self, answer: Answer) -> list[str]:
        """What is wrong with an answer, as sentences naming the operation; empty when it is true."""
        where = f"{answer.method} {answer.path} -> {answer.status}"
        found = self.operation(answer.method, answer.path)
        if found is None:
            return [f"{where}: no operation in /openapi.json matches"]
        template, op = found
        where = f"{answer.method} {template} -> {answer.status}"
        declared = op["responses"].get(str(answer.status))
        if declared is None:
            return [f"{where}: status not declared (declared: {sorted(op['responses'])})"]
        content = declared.get("content", {})
        if answer.content_type not in content:
            return [f"{where}: media type {answer.content_type!r} not declared (declared: {sorted(content)})"]
        media = content[answer.content_type]
        if answer.content_type != "application/json":
            return []
        body = answer.json()
        problems = [
            f"{where}: {'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}"
            for e in self.validator(media.get("schema", {})).iter_errors(body)
        ]
        if answer.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
            code = body["error"].get("code")
            if code not in media.get("examples", {}):
                problems.append(
                    f"{where}: error code {code!r} not listed (listed: {sorted(media.get('examples', {}))})"
                )
        return problems


def copy_of(answer: Answer, **changes: Any) -> Answer:
    """An answer with some parts replaced (for proving the check fails on what it should)."""
    fields = {k: copy.copy(getattr(answer, k)) for k in ("method", "path", "status", "content_type", "body")}
    return Answer(**(fields | changes))
