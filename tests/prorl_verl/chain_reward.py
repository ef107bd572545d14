"""The digit-fraction reward (see ``digit_reward.py``) that also notes which training rows it
scored, one JSON line per call in ``log_to``: the chain test reads which prompts each stage
trained on."""

import json
import os


def compute_score(data_source, solution_str, ground_truth, extra_info=None, log_to=None, **kwargs):
    text = solution_str or ""
    fraction = sum(ch.isdigit() for ch in text) / max(len(text), 1)
    info = extra_info or {}
    if log_to and info.get("split") == "train":
        line = json.dumps({"source_id": info.get("source_id"), "pid": os.getpid()}) + "\n"
        with open(log_to, "a") as handle:  # one short append per line: safe across processes
            handle.write(line)
    return {"score": fraction, "acc": float(fraction == 1.0)}
