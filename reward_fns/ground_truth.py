"""Ground truths stored as JSON objects (code, reasoning-gym, IFEval): one parser for all."""

import json


def _plain(value):
    """``value`` with NumPy arrays and scalars (pandas reads parquet lists as arrays) turned
    into Python lists and scalars, at any depth."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return _plain(value.tolist())
    return value


def load_json_object(ground_truth, domain: str) -> dict:
    """The ground truth as a dict: a JSON string/bytes, or a mapping verl (or pandas) already
    decoded.

    Anything else is a data error, raised as ``ValueError`` naming the domain.
    """
    try:
        spec = (
            json.loads(ground_truth)
            if isinstance(ground_truth, str | bytes)
            else _plain(dict(ground_truth))
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{domain} ground truth is not a JSON object: {exc}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"{domain} ground truth is not a JSON object: got {type(spec).__name__}")
    return spec
