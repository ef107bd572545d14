"""A reward an untrained model can earn: the fraction of digits in its response.

Random weights write random text, so this reward varies within every group and GRPO (and
dynamic sampling) has a signal; the recipes' verifiers would give an untrained model 0
everywhere. ``make chain``'s CPU profile and the end-to-end tests train on it through
``reward.custom_reward_function.path``.

With ``reward_kwargs.log_to=<file>``, every scored training row is noted there as one JSON
line (``source_id``, ``time``, ``pid``): which prompts a run trained on, and when.
"""

import json
import os
import time


def compute_score(data_source, solution_str, ground_truth, extra_info=None, log_to=None, **kwargs):
    text = solution_str or ""
    fraction = sum(ch.isdigit() for ch in text) / max(len(text), 1)
    info = extra_info or {}
    if log_to and info.get("split") == "train":
        line = {"source_id": info.get("source_id"), "time": time.time(), "pid": os.getpid()}
        with open(log_to, "a") as handle:  # one short append per line: safe across processes
            handle.write(json.dumps(line) + "\n")
    return {"score": fraction, "acc": float(fraction == 1.0)}
