"""compute_score inside a Ray actor, from its thread pool, as verl's reward-loop workers call it."""

import json

import pytest

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_session(tmp_path_factory):
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _temp_dir=str(tmp_path_factory.mktemp("ray")),
    )
    yield
    ray.shutdown()


@pytest.mark.timeout(300)
def test_scores_from_threads_of_a_ray_actor(ray_session):
    @ray.remote
    class Scorer:
        async def score_all(self, rows):
            import asyncio

            from reward_fns import compute_score

            loop = asyncio.get_running_loop()
            calls = [loop.run_in_executor(None, lambda r=r: compute_score(*r)) for r in rows]
            return [result["score"] for result in await asyncio.gather(*calls)]

    code_truth = json.dumps({"inputs": ["2 3\n"], "outputs": ["5\n"]})
    rows = [
        ("prorl/math/a", "\\boxed{\\frac{1}{2}}", "0.5"),
        ("prorl/math/a", "\\boxed{0.4}", "0.5"),
        (
            "prorl/code/a",
            "```python\na, b = map(int, input().split())\nprint(a + b)\n```",
            code_truth,
        ),
        ("prorl/stem/a", "\\boxed{(C)}", "C"),
    ] * 3
    scores = ray.get(Scorer.remote().score_all.remote(rows))
    assert scores == [1.0, 0.0, 1.0, 1.0] * 3
