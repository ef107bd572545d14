"""What a sampler returns for one response, whichever backend produced it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Completion:
    """One sampled response: its text, its generated-token count (EOS included) and whether
    it ended with EOS (``False`` means it ran into the token limit)."""

    text: str
    num_tokens: int
    ended_with_eos: bool
