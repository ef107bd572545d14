"""Helpers the converters share: answers as strings, the problem text of a chat record, ids."""

from __future__ import annotations

import hashlib
import math

from data_prep.records import BadRow


def text_id(text: str) -> str:
    """A short stable id for records that carry none (first 12 hex digits of SHA-1)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def answer_text(value, field: str) -> str:
    """A gold answer as one string: numbers without a spurious ``.0``, lists joined by ", "."""
    if isinstance(value, bool):
        raise BadRow(field, "wrong_type")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadRow(field, "not_finite")
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        parts = [answer_text(v, field) for v in value]
        text = ", ".join(p for p in parts if p)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 1 and text.startswith("$") and text.endswith("$"):
            text = text.strip("$").strip()
    else:
        raise BadRow(field, "wrong_type")
    if not text:
        raise BadRow(field, "empty")
    return text


def last_user_content(messages, field: str) -> str:
    """The content of the last user message of a chat ``messages`` list."""
    if not isinstance(messages, list):
        raise BadRow(field, "wrong_type")
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if not isinstance(content, str) or not content.strip():
                raise BadRow(field, "empty")
            return content
    raise BadRow(field, "no_user_message")
