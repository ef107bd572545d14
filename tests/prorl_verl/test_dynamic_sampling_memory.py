"""The prompt memory's skip rule (GRESO's idea, arXiv 2506.02177), checked against hand-computed
probabilities, its exploration floor, its adaptive rate, and a checkpoint round trip."""

import json

import pytest

from prorl_verl.dynamic_sampling.memory import MemoryConfig, PromptMemory, skip_probability


def memory(**overrides) -> PromptMemory:
    return PromptMemory(MemoryConfig(enabled=True, **overrides))


def with_zero_run(mem: PromptMemory, prompt: str, zero_run: int) -> None:
    for _ in range(zero_run):
        mem.observe(prompt, has_signal=False)


@pytest.mark.parametrize(
    "zero_run, rate, floor, expected",
    [
        (0, 0.5, 0.05, 0.0),  # never seen without signal: always generated
        (1, 0.5, 0.05, 0.5),  # 1 - 0.5
        (2, 0.5, 0.05, 0.75),  # 1 - 0.25
        (3, 0.5, 0.05, 0.875),  # 1 - 0.125
        (5, 0.5, 0.05, 0.95),  # 1 - 1/32 = 0.96875, capped by the floor at 1 - 0.05
        (2, 0.9, 0.05, 0.19),  # 1 - 0.81
        (4, 1.0, 0.05, 0.0),  # rate 1: the memory never skips
    ],
)
def test_skip_probability_by_hand(zero_run, rate, floor, expected):
    assert skip_probability(zero_run, rate, floor) == pytest.approx(expected)


@pytest.mark.parametrize("zero_run, expected", [(1, 0.5), (2, 0.75), (3, 0.875)])
def test_skip_frequency_over_many_prompts_matches_the_probability(zero_run, expected):
    mem = memory(initial_rate=0.5)
    prompts = [f"prorl/math/x#{i}" for i in range(4000)]
    for prompt in prompts:
        with_zero_run(mem, prompt, zero_run)
    share = sum(mem.should_skip(prompt) for prompt in prompts) / len(prompts)
    # binomial standard deviation at n=4000 is at most 0.008; 4 of them
    assert share == pytest.approx(expected, abs=0.032)


def test_a_prompt_with_signal_is_never_skipped_and_one_signal_visit_clears_the_run():
    mem = memory(initial_rate=0.05)
    assert not any(mem.should_skip("p#1") for _ in range(200))
    with_zero_run(mem, "p#1", 3)
    mem.observe("p#1", has_signal=True)
    assert mem.skip_probability("p#1") == 0.0


def test_exploration_floor_keeps_every_prompt_in_play():
    mem = memory(initial_rate=0.05, min_rate=0.05, explore_floor=0.1)
    with_zero_run(mem, "hard#7", 40)  # 1 - 0.05**40 is 1 to machine precision
    assert mem.skip_probability("hard#7") == pytest.approx(0.9)
    offers = [mem.should_skip("hard#7") for _ in range(3000)]
    generated = offers.count(False)
    assert generated / len(offers) == pytest.approx(0.1, abs=0.025)
    # the longest run of skips stays short: no prompt is skipped forever
    longest, run = 0, 0
    for skipped in offers:
        run = run + 1 if skipped else 0
        longest = max(longest, run)
    assert longest < 120  # 0.9**120 < 4e-6 per start


def test_rate_adapts_toward_the_target_share_within_its_bounds():
    mem = memory(
        target_zero_signal_share=0.25, initial_rate=0.5, rate_step=0.05, min_rate=0.4, max_rate=0.6
    )

    def step(zero_signal: int, with_signal: int) -> float:
        for i in range(zero_signal):
            mem.observe(f"z#{i}", has_signal=False)
        for i in range(with_signal):
            mem.observe(f"s#{i}", has_signal=True)
        mem.end_step()
        return mem.rate

    assert step(3, 1) == pytest.approx(0.45)  # share 0.75 > 0.25: skip more
    assert step(3, 1) == pytest.approx(0.40)
    assert step(3, 1) == pytest.approx(0.40)  # held at min_rate
    assert step(1, 3) == pytest.approx(0.40)  # share 0.25 == target: unchanged
    assert step(0, 4) == pytest.approx(0.45)  # share 0 < 0.25: skip less
    assert step(0, 0) == pytest.approx(0.45)  # nothing generated: unchanged
    for _ in range(5):
        step(0, 4)
    assert mem.rate == pytest.approx(0.60)  # held at max_rate


def test_false_skips_are_judged_at_the_next_visit():
    mem = memory(initial_rate=0.05, explore_floor=0.05)
    with_zero_run(mem, "a#1", 3)
    with_zero_run(mem, "b#1", 3)
    skips_a = 0
    while skips_a < 2:  # skip "a" twice, then it comes back with signal: 2 false skips
        skips_a += mem.should_skip("a#1")
    mem.observe("a#1", has_signal=True)
    while not mem.should_skip("b#1"):  # skip "b" once; it comes back without signal
        pass
    mem.observe("b#1", has_signal=False)
    assert (mem.total_judged_skips, mem.total_false_skips) == (3, 2)
    assert mem.false_skip_rate == pytest.approx(2 / 3)
    counts = mem.end_step()
    assert counts.skipped == 3 and counts.judged_skips == 3 and counts.false_skips == 2


def scripted_run(mem: PromptMemory, steps: range) -> list:
    """Offer 30 prompts per step; outcomes follow a fixed rule of (prompt, step)."""
    decisions = []
    for step in steps:
        for i in range(30):
            prompt = f"prorl/math/x#{i}"
            skipped = mem.should_skip(prompt)
            decisions.append((step, prompt, skipped))
            if not skipped:
                mem.observe(prompt, has_signal=(i % 3 == 0 and step % 4 == 0))
        mem.end_step()
    return decisions


def test_checkpoint_round_trip_skips_exactly_as_an_uninterrupted_run():
    uninterrupted = memory(seed=3)
    expected = scripted_run(uninterrupted, range(12))

    first = memory(seed=3)
    before = scripted_run(first, range(6))
    saved = json.loads(json.dumps(first.state_dict()))  # as written to the checkpoint
    resumed = memory(seed=3)
    resumed.load_state_dict(saved)
    after = scripted_run(resumed, range(6, 12))

    assert before + after == expected
    assert any(skipped for _, _, skipped in after)  # the comparison is not vacuous
    assert resumed.rate == uninterrupted.rate
    assert resumed.state_dict() == uninterrupted.state_dict()


def test_a_fresh_memory_decides_differently_than_a_restored_one():
    first = memory(seed=3)
    scripted_run(first, range(6))
    fresh = memory(seed=3)
    assert scripted_run(fresh, range(6, 12)) != scripted_run(first, range(6, 12))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"explore_floor": 0.0}, "explore_floor"),
        ({"initial_rate": 1.5}, "initial_rate"),
        ({"min_rate": 0.6, "initial_rate": 0.5}, "min_rate <= initial_rate"),
        ({"rate_step": -0.1}, "rate_step"),
    ],
)
def test_bad_settings_are_refused_by_name(settings, message):
    with pytest.raises(ValueError, match=message):
        MemoryConfig(enabled=True, **settings)


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="unknown key.*explore_flor"):
        MemoryConfig.from_mapping({"enabled": True, "explore_flor": 0.1})
