"""Evaluation of checkpoints by pass@k: sampling, scoring, tables and plots (ProRL §3.4, §4).

Run ``python -m prorl_verl.eval --help``. The estimator is importable on its own.
"""

from prorl_verl.eval.passk import k_values, pass_at_k

__all__ = ["k_values", "pass_at_k"]
