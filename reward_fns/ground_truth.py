"""Ground truths stored as JSON objects (code, reasoning-gym, IFEval): one parser for all."""

import json


def load_json_object(ground_truth, domain: str) -> dict:
    """The ground truth as a dict: a JSON string/bytes, or a mapping verl already decoded.

    Anything else is a data error, raised as ``ValueError`` naming the domain.
    """
    try:
        spec = (
            json.loads(ground_truth)
            if isinstance(ground_truth, str | bytes)
            else dict(ground_truth)
        )
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{domain} ground truth is not a JSON object: {exc}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"{domain} ground truth is not a JSON object: got {type(spec).__name__}")
    return spec
