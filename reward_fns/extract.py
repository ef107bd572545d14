"""Pulling the graded part out of a model response.

- Thinking (``think_tags="prorl"``, the default): with ``</think>`` present only the text after
  the last ``</think>`` is graded; a ``<think>`` opened and never closed means the model never
  answered (nothing is graded) — also one reopened after the last ``</think>``
  (``<think>a</think><think>\\boxed{4}``: thinking restarted and never ended); without think
  tags the whole response is graded. With
  ``think_tags="ignore"`` the whole response is graded, as verl's own scorers do.
- STEM answers: the content of the last ``\\boxed{...}`` (or ``\\fbox{...}``, or the
  brace-less ``\\boxed 5``).
- Math answers: every ``\\boxed{}`` of the graded text read together as ONE answer — repeats
  dropped, distinct boxes joined into a list (``\\boxed{1}, \\boxed{2}`` means ``1, 2``), so a
  hedge between two values is a wrong list, never "any of them".
- Code: the body of the last fenced code block.
- Reasoning gym: the last ``<answer>...</answer>``, stripped of surrounding whitespace.
"""

from __future__ import annotations

import re

_FENCED_BLOCK = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)


THINK_TAG_RULES = ("prorl", "ignore")


def graded_text(response: str, think_tags: str = "prorl") -> str | None:
    """The part of ``response`` that is graded (under the ``think_tags`` rule, one of
    ``THINK_TAG_RULES``), or None when thinking never ended."""
    if think_tags == "ignore":
        return response
    answer = response.rsplit("</think>", 1)[-1]
    return None if "<think>" in answer else answer


_BOX_COMMANDS = ("\\boxed", "\\fbox")
_BRACELESS_ARGUMENT = re.compile(r"\s+([^\s$]+)")


def _box_argument(text: str, start: int) -> tuple[str | None, int]:
    """The argument of the box command at ``start`` and where it ends.

    The content is "" when the command has no argument, and None when its braces never close
    (the answer was cut off; the end is then the end of the text)."""
    command = "\\fbox" if text.startswith("\\fbox", start) else "\\boxed"
    position = after_spaces = start + len(command)
    while after_spaces < len(text) and text[after_spaces].isspace():
        after_spaces += 1
    if text.startswith(" ", position) and not text.startswith("{", after_spaces):
        # "\boxed 5": the argument runs to the next space or math delimiter.
        match = _BRACELESS_ARGUMENT.match(text, position)
        return (match.group(1), match.end()) if match else ("", position)
    if not text.startswith("{", after_spaces):
        return "", after_spaces
    depth = 0
    for i in range(after_spaces, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[after_spaces + 1 : i], i + 1
    return None, len(text)  # unbalanced: the answer never closed


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{}``/``\\fbox{}`` (braces balanced), or None."""
    start = max(text.rfind(command) for command in _BOX_COMMANDS)
    return (_box_argument(text, start)[0] or None) if start >= 0 else None


def all_boxed(text: str) -> list[str | None]:
    """Contents of every top-level box, in order ("" for a box without an argument, None for
    one whose braces never close). Linear in the text, however many boxes it holds."""
    contents, position = [], 0
    upcoming = {command: text.find(command) for command in _BOX_COMMANDS}
    while True:
        for command, at in upcoming.items():
            if 0 <= at < position:  # inside the box just read: look again from its end
                upcoming[command] = text.find(command, position)
        starts = [at for at in upcoming.values() if at >= 0]
        if not starts:
            return contents
        content, position = _box_argument(text, min(starts))
        contents.append(content)
        position = max(position, min(starts) + 1)


def boxed_answer(text: str) -> str | None:
    """Every box of ``text`` read as one answer: repeats dropped, distinct boxes joined with
    ", " in order. None without a box, or when a box never closes (the answer was cut off)."""
    contents = all_boxed(text)
    if None in contents:
        return None
    distinct = list(dict.fromkeys(content.strip() for content in contents if content.strip()))
    return ", ".join(distinct) if distinct else None


def last_fenced_code(text: str) -> str | None:
    """Body of the last ``` fenced block ``` (any language tag), or None."""
    blocks = _FENCED_BLOCK.findall(text)
    return blocks[-1] if blocks else None


def last_answer_tag(text: str) -> str | None:
    """Content of the last ``<answer>...</answer>``, whitespace-stripped, or None.

    Found from the end with ``rfind`` (linear), not a regex scan, which is quadratic on a
    response of many unclosed ``<answer>`` tags."""
    end = text.rfind("</answer>")
    if end < 0:
        return None
    start = text.rfind("<answer>", 0, end)
    return text[start + len("<answer>") : end].strip() if start >= 0 else None
