"""A reward where exactly the prompts whose ``extra_info.index`` is a multiple of 4 give groups
with signal: they score a random number in [0, 1) (never equal across a group), every other
prompt scores 1.0 whatever the response. Used by the dynamic-sampling end-to-end test to
exhaust refills and to give the prompt memory something to learn.
"""

import random


def has_signal(index: int) -> bool:
    return index % 4 == 0


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    if not has_signal(int((extra_info or {})["index"])):
        return {"score": 1.0, "acc": 1.0}
    return {"score": random.random(), "acc": 0.0}
