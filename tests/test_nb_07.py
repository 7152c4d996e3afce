"""Lesson 07 in smoke mode: the results JSON, its claims and the saved animation."""
import math

import pytest

NOTEBOOK = "07_deep_rl_deeptraffic"
METRICS = ("score_dqn_mph", "score_noop_mph", "score_random_mph", "score_rule_mph",
           "score_runs", "train_decisions", "env_frames_per_second")
#: Claims that hold in smoke mode too (the baselines need no training).
SMOKE_CLAIMS = ("Random driving beats doing nothing, as in the original game",
                "The lane-change rule beats random driving")


@pytest.mark.notebook
def test_07_deep_rl_deeptraffic_smoke(run_smoke, smoke_results_dir):
    result = run_smoke(NOTEBOOK)
    m = result["metrics"]
    assert tuple(m) == METRICS  # exactly the metrics, headline first
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), name
    assert abs(m["score_noop_mph"] - 51.6) <= 3.0  # the original game's do-nothing score
    # an untrained (or constant-action) network drives no better than random actions
    assert m["score_dqn_mph"] > m["score_random_mph"]
    assert m["score_random_mph"] > m["score_noop_mph"]  # as in the original (60.3 vs 51.6)
    assert m["score_rule_mph"] > m["score_random_mph"]
    for claim in SMOKE_CLAIMS:
        assert result["claims"].get(claim) is True, claim
    assert isinstance(m["score_runs"], int) and m["score_runs"] >= 20
    assert isinstance(m["train_decisions"], int) and m["train_decisions"] > 0
    assert m["env_frames_per_second"] > 1000
    animation = smoke_results_dir / f"{NOTEBOOK}_agent.mp4"
    assert animation.is_file() and animation.stat().st_size > 10_000
