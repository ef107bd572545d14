"""A reward an untrained model can earn: the fraction of digits in its response.

Used by the end-to-end tests through ``reward.custom_reward_function.path``: random weights
write random text, so the reward varies within every group and GRPO has a signal.
"""


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    text = solution_str or ""
    fraction = sum(ch.isdigit() for ch in text) / max(len(text), 1)
    return {"score": fraction, "acc": float(fraction == 1.0)}
