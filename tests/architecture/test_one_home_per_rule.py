"""One home for each rule: every rule quantity (price floors, deposit bounds, announcement periods, the
soft close, the minimum bidding period, the relisting and sale windows, the sale countdown, the balance
deadline, the pause limit) lives in ``auction_rules/`` alone. The service serves it (``GET
/api/v1/rules``, ``GET /api/v1/lots/{id}/next-round``), the simulator and the load tests import it. A
copy elsewhere drifts (the simulator's announcement table once had no vessel rule), so this test fails
on one.

The scanner reads the project's code outside ``auction_rules/`` and ``tests/``: Python (``auction_service``,
``bidder_client``, ``auction_cli``, ``loadtests``) and the web client's JavaScript. It looks for the rule
quantities in rule-like contexts (``timedelta(minutes=5)``, ``(7, 10)``, ``* 4 // 5``, ``30 * DAY``,
``5 * 60 * 1000``, a name like ``ANNOUNCE_DAYS`` or ``SOFT_CLOSE`` bound to a number...) in code, and for
the rules' numbers written out in the texts a user reads (``"70%"``, ``"5 minutes"``, ``"30 days"``).
Comments and docstrings are prose about the rules and are not read. A non-rule use that looks like one
goes in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_PACKAGES = ("auction_service", "bidder_client", "auction_sim", "auction_cli", "loadtests")
WEB = ROOT / "bidder_client" / "web"

# Rule quantities in code (comments, docstrings and string literals blanked out first).
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "soft close as a timedelta": re.compile(r"\bminutes\s*=\s*5\b"),
    "soft close in seconds or ms": re.compile(r"\b5\s*\*\s*60\b|\b300_?000\b|(?<![\w.])300(?:\.0)?\s*\)?\s*$"),
    "a rule's period in days": re.compile(r"\bdays\s*=\s*(?:30|15|7|60|10|5)\b"),
    "a rule's period in hours": re.compile(r"\bhours\s*=\s*24\b"),
    "a rule's days times a day": re.compile(r"\b(?:30|15|7|60|10|5)\s*\*\s*(?:DAY|86_?400|MS_PER_DAY)\b"),
    "a rule's fraction": re.compile(r"(?<![\w.])\(\s*(?:7\s*,\s*10|4\s*,\s*5|1\s*,\s*20|1\s*,\s*5)\s*\)"),
    "a floor or bound in integer maths": re.compile(
        r"\*\s*7\s*\)?\s*//?\s*10\b|\*\s*4\s*\)?\s*//?\s*5\b|\*\s*5\s*>=\s*\w+\s*\*\s*4\b|//?\s*20\b"
        r"|Math\.floor\(\s*\w+\s*/\s*5\s*\)"
    ),
    "a rule's ratio as a float": re.compile(
        r"(?<![\w.])0\.(?:7|70|8|80)\b|\*\s*0\.(?:05|2|20)\b|\blow\s*=\s*0\.05\s*,\s*high\s*=\s*0\.20?\b"
    ),
    "a deposit bound in integer maths": re.compile(r"\w*(?:price|start)\w*\s*//\s*5\b"),
    "a rule's name bound to a number": re.compile(  # a constant (upper case) named for a rule
        r"^\s*(?:const\s+|let\s+|var\s+)?[A-Z_]*(?:RELIST|ANNOUNCE|SOFT_CLOSE|EXTENSION|FINAL_MS|DEPOSIT_(?:MIN|MAX)"
        r"|FLOOR)[A-Z_]*\s*(?::[^=\n]*)?=\s*[^=\n]*\d"
    ),
    "an announcement table": re.compile(r"\?\s*30\s*:\s*15\b|\?\s*15\s*:\s*7\b|\breturn\s+30\s*;"),
}
# The rules' numbers written out in a text (string literals that are not docstrings).
TEXT_PATTERNS: dict[str, re.Pattern[str]] = {
    "a rule's percentage": re.compile(r"(?<![\d.])(?:70|80|5|20)\s?%"),
    "the soft close in words": re.compile(r"(?<![\d.])5\s?(?:分钟|min)|\bfive[ -]minute", re.IGNORECASE),
    "a rule's days in words": re.compile(r"(?<![\d.])(?:30|15|7|60)\s?(?:天|日|[ -]days?\b)", re.IGNORECASE),
    "the bidding period in words": re.compile(r"(?<![\d.])24\s?(?:小时|[ -]hours?\b|\s?h\b)", re.IGNORECASE),
}

# Non-rule uses that look like rule quantities: (file relative to the root, a piece of the line) -> why.
ALLOWED: dict[tuple[str, str], str] = {
    # A probability in the load tests' seeding (70% of late bidders bid), not the round-1 floor.
    ("loadtests/seed.py", "rng.random() < 0.7"): "a probability of the seeding, not a price floor",
    # The office load test lists round 1 at 80% of the appraisal: a listing choice above the 70% floor.
    ("loadtests/locustfile_office.py", "appraisal * 8 // 10"): "a chosen start above the floor",
    # Monitoring buckets and text lengths, not the soft close.
    ("auction_service/metrics.py", "300.0)"): "a histogram bucket (seconds of lag)",
    # A document is cached a day by the browser: HTTP caching, not a rule.
    ("auction_service/api/documents.py", "max-age=86400"): "HTTP caching",
    # Losers' deposits are released within a day of the close: the platform's practice, no quantity of
    # the rule profile (auction_rules has no such rule to serve).
    ("bidder_client/web/i18n/zh.js", "24 小时内解冻"): "deposit release, not a profile quantity",
    ("bidder_client/web/i18n/en.js", "within 24 h of the close"): "deposit release, not a profile quantity",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.text.strip()}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _allowed(relative: str, line: str) -> bool:
    return any(relative.endswith(path) and piece in line for (path, piece), _why in ALLOWED.items())


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Lines of string statements (docstrings of modules, classes, functions and attributes)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _python_parts(source: str) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """The code of each line with comments and strings blanked, and the non-docstring strings."""
    docstrings = _docstring_lines(ast.parse(source))
    code: dict[int, list[str]] = {}
    texts: list[tuple[int, str]] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING):
            continue
        if tok.type == tokenize.STRING:
            if tok.start[0] not in docstrings:
                texts.append((tok.start[0], tok.string))
            code.setdefault(tok.start[0], []).append('""')
            continue
        code.setdefault(tok.start[0], []).append(tok.string)
    return {n: " ".join(parts) for n, parts in code.items()}, texts


_JS_TOKEN = re.compile(r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`""", re.S)


def _js_parts(source: str) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """The code of each line with comments and strings blanked, and the strings (template literals too)."""
    texts: list[tuple[int, str]] = []

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        line = source.count("\n", 0, match.start()) + 1
        if token.startswith(("//", "/*")):
            return re.sub(r"[^\n]", " ", token)
        texts.append((line, token))
        return '""' + re.sub(r"[^\n]", "", token)  # keep the line count

    code = _JS_TOKEN.sub(blank, source)
    return dict(enumerate(code.splitlines(), start=1)), texts


def scan(path: Path, root: Path = ROOT, *, code: bool = True, texts: bool = True) -> list[Finding]:
    """Every rule quantity in one Python or JavaScript file, less the allowed ones."""
    source = path.read_text(encoding="utf-8")
    lines, strings = _python_parts(source) if path.suffix == ".py" else _js_parts(source)
    relative = _relative(path, root)
    original = source.splitlines()
    found: list[Finding] = []
    if code:
        for number, text in lines.items():
            for what, pattern in CODE_PATTERNS.items():
                line = original[number - 1] if number <= len(original) else text
                if pattern.search(text) and not _allowed(relative, line):
                    found.append(Finding(relative, number, what, line))
    if texts:
        for number, text in strings:
            for what, pattern in TEXT_PATTERNS.items():
                if pattern.search(text) and not _allowed(relative, text):
                    found.append(Finding(relative, number, what, text[:120]))
    return found


def python_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for package in PYTHON_PACKAGES for p in (root / package).rglob("*.py"))


def js_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "bidder_client" / "web").rglob("*.js"))


def test_no_rule_number_in_the_python_code_outside_auction_rules() -> None:
    findings = [f for path in python_files() for f in scan(path)]
    assert not findings, "rule quantities outside auction_rules/ (import them, or allow one with a reason):\n" + (
        "\n".join(map(str, findings))
    )


# The web client reads the rules from GET /api/v1/rules and a lot's next round from
# GET /api/v1/lots/{id}/next-round (bidder_client/web/rules.js): no copy in its code.
def test_no_rule_number_in_the_web_client_code() -> None:
    findings = [f for path in js_files() for f in scan(path, texts=False)]
    assert not findings, "rule quantities in the web client's code (read GET /api/v1/rules):\n" + (
        "\n".join(map(str, findings))
    )


# The web client's texts (bidder_client/web/i18n/) take the rules' numbers as message parameters
# ({ext_minutes}, {floor1_pct}, ...) filled from GET /api/v1/rules: none is written out.
def test_no_rule_number_in_the_web_client_texts() -> None:
    findings = [f for path in js_files() for f in scan(path, code=False)]
    assert not findings, "rule numbers written out in the web client's texts:\n" + "\n".join(map(str, findings))


# ----------------------------------------------------------------- the scanner finds what it looks for
PLANTED_PYTHON = {
    "SOFT_CLOSE = 300.0": "a rule's name bound to a number",
    "EXTENSION = timedelta(minutes=5)": "soft close as a timedelta",
    "ANNOUNCE_DAYS = {1: (30, 15), 2: (15, 7)}": "a rule's name bound to a number",
    "WINDOW = timedelta(days=30)": "a rule's period in days",
    "PERIOD = timedelta(hours=24)": "a rule's period in hours",
    "FLOOR_ = (7, 10)": "a rule's fraction",
    "low = price * 4 // 5": "a floor or bound in integer maths",
    "start = appraisal * 0.7": "a rule's ratio as a float",
    "deposit = max(deposit, math.ceil(start_price * 0.05))": "a rule's ratio as a float",
    "deposit = min(deposit, start_price // 5)": "a deposit bound in integer maths",
    'ratio = r.number("deposit_ratio", low=0.05, high=0.2)': "a rule's ratio as a float",
    'MESSAGE = f"at least {x} and 20% at most"': "a rule's percentage",
}
PLANTED_JS = {
    "const FINAL_MS = 5 * 60 * 1000;": "soft close in seconds or ms",
    "const RELIST_WITHIN_DAYS = 30;": "a rule's name bound to a number",
    "const deadline = ended + 30 * DAY;": "a rule's days times a day",
    "if (round === 1) return long ? 30 : 15;": "an announcement table",
    "const floor = Math.ceil((appraisal * 7) / 10);": "a floor or bound in integer maths",
}


@pytest.mark.parametrize(("line", "what"), PLANTED_PYTHON.items())
def test_a_copy_planted_in_a_python_file_is_found(tmp_path: Path, line: str, what: str) -> None:
    """A temporary copy of a clean file with one rule copy planted: the scanner names it, on its line."""
    original = ROOT / "auction_sim" / "agents.py"
    planted = tmp_path / "auction_sim" / "agents.py"
    planted.parent.mkdir(parents=True)
    source = original.read_text(encoding="utf-8")
    assert not scan(original)
    planted.write_text(source + f"\n{line}\n", encoding="utf-8")
    findings = scan(planted, tmp_path)
    assert what in {f.what for f in findings}, findings
    assert {f.line for f in findings} == {source.count("\n") + 2}


@pytest.mark.parametrize(("line", "what"), PLANTED_JS.items())
def test_a_copy_planted_in_a_javascript_file_is_found(tmp_path: Path, line: str, what: str) -> None:
    original = WEB / "router.js"
    planted = tmp_path / "router.js"
    source = original.read_text(encoding="utf-8")
    assert not scan(original, code=True, texts=False)
    planted.write_text(source + f"\n{line}\n", encoding="utf-8")
    findings = scan(planted, tmp_path, texts=False)
    assert what in {f.what for f in findings}, findings


def test_comments_and_docstrings_are_prose_not_copies(tmp_path: Path) -> None:
    """The rules may be explained in words anywhere; only code and the texts users read are checked."""
    planted = tmp_path / "prose.py"
    planted.write_text(
        '"""Round 1 starts at 70% of the appraisal; a bid in the last 5 minutes extends by 5 minutes."""\n'
        "# Art. 26: within 30 days (timedelta(days=30))\n"
        "x = 1  # SOFT_CLOSE = 300\n",
        encoding="utf-8",
    )
    assert scan(planted, tmp_path) == []


def test_an_allowed_use_is_not_reported(tmp_path: Path) -> None:
    planted = tmp_path / "loadtests" / "seed.py"
    planted.parent.mkdir()
    planted.write_text("import random\nrng = random.Random()\nlate = rng.random() < 0.7\n", encoding="utf-8")
    assert scan(planted, tmp_path) == []
