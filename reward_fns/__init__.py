"""ProRL's five verifiers (math, code, STEM, reasoning gym, instruction following) behind
verl's custom-reward interface: ``compute_score`` for one item, ``compute_score_batch`` for
many. Every data source verl's own ``default_compute_score`` knows is scored too, in verl's
answer conventions. See README.md for the rule per domain and how to use them in a verl run."""

from reward_fns.dispatch import UnknownDataSource, compute_score, compute_score_batch

__all__ = ["compute_score", "compute_score_batch", "UnknownDataSource"]
