"""A DeepScaleR-style answer grader: normalise and compare, then sympy equivalence behind guards.

The idea follows the MATH/PRM800K graders that DeepScaleR uses: strip the LaTeX that does not
change the value (``\\left``, ``\\!``, ``\\text{}``, units of degrees, dollar signs, thousands
separators, ``\\dfrac`` spelling...), compare the normalised strings, and only when they differ
ask sympy whether ``gold - pred`` simplifies to exactly 0 — element by element for tuples and
intervals. Sympy is only asked when the expressions look harmless (short, few unknowns, no
power towers or huge numbers), because sympy can spend unbounded time and memory on e.g.
``5^{5^{5^5}}``. The comparison is exact: 3.14 is not pi. This module runs inside a
killable worker (see ``worker_pool``), which bounds whatever the guards miss.
"""

from __future__ import annotations

import re
import signal
from contextlib import contextmanager
from fractions import Fraction

_TEXT_WRAPPERS = re.compile(
    r"\\(?:text|textbf|mathrm|mathbf|mbox|textit|operatorname)\s*\{([^{}]*)\}"
)
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_UNIT_WORDS = re.compile(
    r"\s*(?:degrees?|cm|centimeters?|meters?|km|inches|inch|feet|ft|units?|sq|square|"
    r"dollars?|cents?|hours?|minutes?|seconds?|days?|mph|years?)\s*(?:\^?\{?2\}?|\^?3)?$"
)
_SIMPLE_LHS = re.compile(r"^[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*")
_RATIONAL = re.compile(
    r"(?P<plain>-?\d+(?:\.\d+)?)|(?P<sign>-?)\\frac\{(?P<num>-?\d+)\}\{(?P<den>\d+)\}"
)
SYMPY_TIMEOUT_S = 2
_MAX_WRAPPER_DEPTH = 8
_MAX_SYMPY_CHARS = 80
_MAX_DIGITS = 30


def normalise(answer: str) -> str:
    """A canonical spelling of a short LaTeX answer (value-preserving edits only)."""
    s = str(answer).strip()
    s = (
        s.replace("\n", "")
        .replace("\\!", "")
        .replace("\\,", "")
        .replace("\\;", "")
        .replace("\\:", "")
    )
    s = s.replace("\\left", "").replace("\\right", "")
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("°", "")
    s = s.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "")
    for _ in range(_MAX_WRAPPER_DEPTH):
        s, unwrapped = _TEXT_WRAPPERS.subn(r"\1", s)
        if not unwrapped:
            break
    s = _UNIT_WORDS.sub("", s).strip()
    s = _SIMPLE_LHS.sub("", s)
    s = _THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), s)
    s = _fix_bare_fracs(s)
    s = re.sub(r"\\sqrt(\w)", r"\\sqrt{\1}", s)
    s = s.replace(" ", "")
    s = re.sub(r"(?<!\d)\.(\d)", r"0.\1", s)  # ".5" -> "0.5"
    s = re.sub(r"^(-?\d+)\.0+$", r"\1", s)  # "2.0" -> "2"
    s = re.sub(r"\.$", "", s)
    if re.fullmatch(r"-?\d+/\d+", s):
        num, den = s.split("/")
        s = f"\\frac{{{num}}}{{{den}}}"
    return s


def _fix_bare_fracs(s: str) -> str:
    """``\\frac12`` -> ``\\frac{1}{2}``, ``\\frac1{x}`` -> ``\\frac{1}{x}``."""
    s = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", s)
    s = re.sub(r"\\frac(\d)\{", r"\\frac{\1}{", s)
    return re.sub(r"\\frac\{([^{}]*)\}(\d)", r"\\frac{\1}{\2}", s)


def _split_tuple(s: str) -> tuple[str, str, list[str]] | None:
    """``(a,b]`` -> ("(", "]", ["a", "b"]) when the commas are at top level."""
    if len(s) < 3 or s[0] not in "([" or s[-1] not in ")]":
        return None
    parts, depth, current = [], 0, ""
    for char in s[1:-1]:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return (s[0], s[-1], parts) if len(parts) > 1 else None


def _looks_safe_for_sympy(expr: str) -> bool:
    if len(expr) > _MAX_SYMPY_CHARS or expr.count("^") > 2:
        return False
    if re.search(r"\^\s*\{?[^}]*\^", expr):  # a power inside an exponent
        return False
    if any(len(run) > _MAX_DIGITS for run in re.findall(r"\d+", expr)):
        return False
    letters = set(re.findall(r"(?<!\\)\b[a-zA-Z]\b", expr))
    return len(letters) <= 2


@contextmanager
def _alarm(seconds: int):
    """SIGALRM-based bound; a no-op outside the main thread (the worker's kill covers that)."""
    try:
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
    except ValueError:  # not the main thread
        yield
        return
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _raise_timeout(signum, frame):
    raise TimeoutError("sympy comparison timed out")


def _as_rational(expr: str) -> Fraction | None:
    """``12``, ``-0.75``, ``3/4``, ``\\frac{3}{4}`` as an exact number; None for anything else."""
    match = _RATIONAL.fullmatch(expr)
    if match is None:
        return None
    if match.group("num") is not None:
        den = int(match.group("den"))
        sign = -1 if match.group("sign") else 1
        return sign * Fraction(int(match.group("num")), den) if den else None
    return Fraction(match.group("plain"))


def _sympy_equal(gold: str, pred: str) -> bool:
    gold_q, pred_q = _as_rational(gold), _as_rational(pred)
    if gold_q is not None and pred_q is not None:
        return gold_q == pred_q  # exact numbers: what sympy would conclude, without sympy
    if not (_looks_safe_for_sympy(gold) and _looks_safe_for_sympy(pred)):
        return False
    import sympy
    from latex2sympy2_extended import latex2sympy

    try:
        with _alarm(SYMPY_TIMEOUT_S):
            difference = latex2sympy(gold) - latex2sympy(pred)
            return sympy.simplify(difference) == 0
    except Exception:  # unparsable, non-numeric relations, timeouts: not equal
        return False


_DECIMAL_LITERAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")


def writes_decimal(pred: str) -> bool:
    """True when the normalised answer contains a number written with a decimal point."""
    return _DECIMAL_LITERAL.search(normalise(pred)) is not None


def decimal_answer_matches(gold: str, pred: str) -> bool:
    """The exactness rule for answers written with decimals: each decimal is read as the exact
    fraction it writes (0.333 is 333/1000) and compared exactly. So a terminating decimal equal
    to the gold (0.5 for 1/2) is right, and a rounded value of an irrational number or of a
    non-terminating fraction (1.4142 for sqrt(2), 0.333 for 1/3) is wrong — what math-verify's
    float rounding would accept. Lists of answers (several solutions, several boxes) follow the
    same rule item by item."""

    def exact(text: str) -> str:
        return _DECIMAL_LITERAL.sub(
            lambda m: f"\\frac{{{m.group(1)}{m.group(2)}}}{{1{'0' * len(m.group(2))}}}",
            normalise(text),
        )

    gold_exact, pred_exact = exact(gold), exact(pred)
    return answers_match(gold_exact, pred_exact) or list_answers_match(gold_exact, pred_exact)


def _top_level_items(s: str) -> list[str]:
    """``a, (b, c), d`` -> ["a", "(b, c)", "d"]: commas outside any bracket separate items."""
    items, depth, current = [], 0, ""
    for char in s:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return items


def list_answers_match(gold: str, pred: str) -> bool:
    """True when ``gold`` and ``pred`` are unbracketed lists of answers (several solutions,
    several boxes) naming the same answers, in any order, each matched once.

    A number with thousands separators (``1,000``) is one answer, not a list."""
    gold_n, pred_n = normalise(gold), normalise(pred)
    gold_items, pred_items = _top_level_items(gold_n), _top_level_items(pred_n)
    if len(gold_items) < 2 or len(gold_items) != len(pred_items):
        return False
    unmatched = list(pred_items)
    for item in gold_items:
        partner = next((p for p in unmatched if answers_match(item, p)), None)
        if partner is None:
            return False
        unmatched.remove(partner)
    return True


def answers_match(gold: str, pred: str) -> bool:
    """True when ``pred`` states the same answer as ``gold`` (exactly, not approximately)."""
    gold_n, pred_n = normalise(gold), normalise(pred)
    if not pred_n:
        return False
    if gold_n == pred_n:
        return True
    gold_t, pred_t = _split_tuple(gold_n), _split_tuple(pred_n)
    if gold_t or pred_t:
        if not (gold_t and pred_t) or gold_t[:2] != pred_t[:2] or len(gold_t[2]) != len(pred_t[2]):
            return False
        return all(answers_match(g, p) for g, p in zip(gold_t[2], pred_t[2], strict=True))
    if len(_top_level_items(gold_n)) > 1 or len(_top_level_items(pred_n)) > 1:
        return False  # a list ("32, 349") is compared item by item, never read as one number
    return _sympy_equal(gold_n, pred_n)
