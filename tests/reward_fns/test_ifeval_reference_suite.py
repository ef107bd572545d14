"""Instruction following against Google's published IFEval verdicts: GPT-4's responses to the
first 100 IFEval prompts, each instruction judged by Google's strict checker
(tests/fixtures/reward_fns/ifeval.json). Our score is the fraction of instructions followed."""

import json
from pathlib import Path

from reward_fns import compute_score_batch

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reward_fns" / "ifeval.json"

# Items where the reference verdict is a coin toss (see reward_fns/README.md, agreement).
COIN_TOSSES = {
    # keywords:letter_frequency with letter "!": Google's checker (and lm-eval's copy) swaps a
    # non-letter for a random letter, so neither counts the "!" (the response has 10 >= 6).
    22,
}


def test_agreement_with_google_strict_verdicts():
    cases = json.loads(FIXTURE.read_text())["cases"]
    results = compute_score_batch(
        ["prorl/ifeval/google"] * len(cases),
        [case["response"] for case in cases],
        [json.dumps(case["ground_truth"]) for case in cases],
        None,
    )
    disagreements = {
        index
        for index, (case, result) in enumerate(zip(cases, results, strict=True))
        if result["score"] != sum(case["google_strict"]) / len(case["google_strict"])
    }
    assert len(cases) == 100
    assert disagreements <= COIN_TOSSES, f"undocumented: {disagreements - COIN_TOSSES}"
