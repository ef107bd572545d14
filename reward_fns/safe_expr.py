"""Reading model-written arithmetic and literals without executing them.

Some reasoning-gym scorers hand the answer text to Python's ``eval`` or to ``sympy.parse_expr``
(which also ends in ``eval``): an answer such as ``__import__('os').system(...)`` would run as
the grader. The readers here accept only what the puzzles ask for and refuse the rest with a
``ValueError`` naming the offending character or name:

- ``integer_arithmetic``: ``+ - * /`` (``-`` also as a sign) and parentheses over plain decimal
  integer literals (no exponents, calls, names, hex, underscores or other literals), evaluated
  exactly with ``Fraction``; it also returns the literals, so a puzzle can check which numbers
  were used.
- ``literal_only_eval``: Python literals only (``ast.literal_eval``), for the scorers that
  ``eval`` an answer to read a list.
- ``plain_math_expression`` / ``GuardedSympy``: the text handed to ``sympy.parse_expr`` may
  hold numbers, ``+ - * / ^ **``, parentheses, commas, single-letter symbols, the names the
  caller declares and a fixed set of elementary functions; no attribute access, subscripts,
  strings, underscores or other names — so ``parse_expr`` can only build a formula — and no
  power in an exponent (``9**9**9`` would keep sympy computing until the worker is killed).
"""

from __future__ import annotations

import ast
import re
import types
from dataclasses import dataclass
from fractions import Fraction

import sympy

MAX_CHARS = 2000
MAX_NESTING = 64
ELEMENTARY_FUNCTIONS = frozenset(
    "sin cos tan cot sec csc asin acos atan acot sinh cosh tanh asinh acosh atanh "
    "exp log ln sqrt Abs abs pi oo".split()
)
_ARITHMETIC_TOKEN = re.compile(r"\s*(?:(?P<int>\d+)|(?P<op>[-+*/()]))")
_EXPRESSION_CHARS = re.compile(r"[0-9A-Za-z+\-*/^().,\s]*")
_NAME = re.compile(r"[A-Za-z]+")
_ATTRIBUTE = re.compile(r"[A-Za-z)\]]\s*\.|\.\s*[A-Za-z(]")
_POWER_IN_EXPONENT = re.compile(r"(?:\*\*|\^)\s*\(?[\w.\s]*(?:\*\*|\^)")


@dataclass(frozen=True)
class Arithmetic:
    value: Fraction
    literals: list[int]


def integer_arithmetic(text: str) -> Arithmetic:
    """The exact value of ``text`` and its integer literals in order; ValueError otherwise."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"expression longer than {MAX_CHARS} characters")
    tokens, position = [], 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _ARITHMETIC_TOKEN.match(stripped, position)
        if match is None:
            raise ValueError(f"unexpected {stripped[position:].lstrip()[:10]!r}")
        literal = match.group("int")
        if literal is not None and len(literal) > 1 and literal[0] == "0":
            raise ValueError(f"integer literal with a leading zero: {literal!r}")
        tokens.append(literal if literal is not None else match.group("op"))
        position = match.end()
    parser = _ArithmeticParser(tokens)
    value = parser.expression(0)
    if parser.position != len(tokens):
        raise ValueError(f"unexpected {tokens[parser.position]!r}")
    return Arithmetic(value, parser.literals)


class _ArithmeticParser:
    """expression := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
    factor := '-' factor | INTEGER | '(' expression ')'."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.position, self.literals = tokens, 0, []

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def expression(self, depth: int) -> Fraction:
        value = self.term(depth)
        while self._peek() in ("+", "-"):
            operator = self.tokens[self.position]
            self.position += 1
            right = self.term(depth)
            value = value + right if operator == "+" else value - right
        return value

    def term(self, depth: int) -> Fraction:
        value = self.factor(depth)
        while self._peek() in ("*", "/"):
            operator = self.tokens[self.position]
            self.position += 1
            right = self.factor(depth)
            if operator == "/" and right == 0:
                raise ValueError("division by zero")
            value = value * right if operator == "*" else value / right
        return value

    def factor(self, depth: int) -> Fraction:
        token = self._peek()
        if token is None:
            raise ValueError("expression ends too early")
        self.position += 1
        if token == "-":
            if depth >= MAX_NESTING:
                raise ValueError("signs nested too deeply")
            return -self.factor(depth + 1)
        if token == "(":
            if depth >= MAX_NESTING:
                raise ValueError("parentheses nested too deeply")
            value = self.expression(depth + 1)
            if self._peek() != ")":
                raise ValueError("unclosed parenthesis")
            self.position += 1
            return value
        if token.isdigit():
            self.literals.append(int(token))
            return Fraction(int(token))
        raise ValueError(f"unexpected {token!r}")


def literal_only_eval(text, *_ignored):
    """``eval`` for answers that should be Python literals: anything else raises ValueError."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise ValueError("not a short literal")
    depth = deepest = 0
    for char in text:  # brackets inside string literals count too: a bound, not a parse
        depth += (char in "([{") - (char in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise ValueError("literal nested too deeply")
    return ast.literal_eval(text.strip())


def plain_math_expression(text: str, names=()) -> str:
    """``text`` when it is a plain formula over ``names``; ValueError naming what is not."""
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise ValueError("not a short formula")
    bad = _EXPRESSION_CHARS.fullmatch(text)
    if bad is None:
        offending = next(c for c in text if not _EXPRESSION_CHARS.fullmatch(c))
        raise ValueError(f"character {offending!r} is not allowed in a formula")
    if _ATTRIBUTE.search(text):
        raise ValueError("attribute access is not allowed in a formula")
    if _POWER_IN_EXPONENT.search(text):
        raise ValueError("a power in an exponent is not allowed in a formula")
    allowed = ELEMENTARY_FUNCTIONS | set(names)
    for name in _NAME.findall(text):
        if len(name) > 1 and name not in allowed:
            raise ValueError(f"name {name!r} is not allowed in a formula")
    if max(text.count("("), text.count(",")) > MAX_NESTING:
        raise ValueError("formula nested too deeply")
    return text


def _guarded_parse_expr(text, local_dict=None, *args, **kwargs):
    plain_math_expression(text, (local_dict or {}).keys())
    return sympy.parse_expr(text, local_dict, *args, **kwargs)


class GuardedSympy(types.ModuleType):
    """``sympy`` as a scorer module sees it, with ``parse_expr`` guarded (everything else is
    sympy's own)."""

    parse_expr = staticmethod(_guarded_parse_expr)

    def __init__(self):
        super().__init__("sympy")

    def __getattr__(self, name):
        return getattr(sympy, name)
