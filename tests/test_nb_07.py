"""Lesson 07 in smoke mode: the results JSON and the saved animation."""
import math

import pytest

NOTEBOOK = "07_deep_rl_deeptraffic"
METRICS = ("score_dqn_mph", "score_noop_mph", "score_random_mph", "score_rule_mph",
           "score_runs", "train_decisions", "env_frames_per_second")


@pytest.mark.notebook
def test_07_deep_rl_deeptraffic_smoke(run_smoke, smoke_results_dir):
    m = run_smoke(NOTEBOOK)["metrics"]
    assert tuple(m) == METRICS  # exactly the metrics, headline first
    for name in METRICS:
        assert m[name] is not None and math.isfinite(m[name]), name
    assert abs(m["score_noop_mph"] - 51.6) <= 3.0  # the original game's do-nothing score
    assert 0 <= m["score_dqn_mph"] <= 80
    assert m["score_random_mph"] > m["score_noop_mph"]  # as in the original (60.3 vs 51.6)
    assert m["score_rule_mph"] > m["score_noop_mph"]
    assert isinstance(m["score_runs"], int) and m["score_runs"] >= 20
    assert isinstance(m["train_decisions"], int) and m["train_decisions"] > 0
    assert m["env_frames_per_second"] > 1000
    animation = smoke_results_dir / f"{NOTEBOOK}_agent.mp4"
    assert animation.is_file() and animation.stat().st_size > 10_000
