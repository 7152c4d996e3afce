"""Unit tests of utils.deeptraffic: fidelity to the original game's scores, invariants,
gymnasium conformance, determinism and errors."""
import numpy as np
import pytest

gym = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

from utils import deeptraffic as dt  # noqa: E402

# runs per fidelity check: a run's mean mph spreads by ~5 mph, so the median of 300 runs
# is known to about +-0.4 mph (the original measured 500)
RUNS = 300


@pytest.mark.parametrize("name, policy, target, tol", [
    ("do nothing", dt.noop_policy, 51.6, 1.5),
    ("always decelerate", dt.decelerate_policy, 44.5, 1.5),
    ("uniform random", dt.random_policy(0), 60.3, 2.0),
])
def test_fidelity_to_the_original_scores(name, policy, target, tol):
    median, runs = dt.score(policy, runs=RUNS, progress=False, return_runs=True)
    assert runs.shape == (RUNS,)
    assert abs(median - target) <= tol, f"{name}: median {median:.2f} mph, original {target}"


def _overlaps(sim):
    """Pairs of cars whose 15 x 34 rectangles intersect, per road."""
    dx = np.abs(sim.x[:, :, None] - sim.x[:, None, :]) < dt.CAR_W
    dy = np.abs(sim.y[:, :, None] - sim.y[:, None, :]) < dt.CAR_H
    ov = dx & dy
    ov[:, np.arange(dt.N_CARS), np.arange(dt.N_CARS)] = False
    return ov


@pytest.mark.parametrize("config", [
    {},                                                   # the game as is
    {"frames_per_action": 1, "other_agents": 3},          # random decisions every frame
])
def test_invariants_under_random_driving(config):
    sim = dt.TrafficBatch(config)
    obs = sim.reset(list(range(1000, 1030)))
    rng = np.random.default_rng(1)
    done, steps = False, 0
    while not done:
        obs, reward, done, info = sim.step(rng.integers(0, 5, len(obs)))
        steps += 1
        assert not _overlaps(sim).any(), f"cars overlap at frame {sim.frame}"
        mph = 20 * sim.safety * sim.gas
        assert mph.min() >= 0.0 and mph.max() <= 80.0 + 1e-9
        assert sim.lane.min() >= 0 and sim.lane.max() <= dt.LANES - 1
        assert np.all(sim.x >= 4.0 - 1e-9) and np.all(sim.x <= 20.0 * (dt.LANES - 1) + 4 + 1e-9)
        assert np.all((sim.y >= dt.TOP_EXIT) & (sim.y <= dt.BOTTOM_EXIT))
        assert np.all((reward >= -3.0) & (reward <= 3.0))
        assert obs.dtype == np.float32 and np.isfinite(obs).all()
    assert sim.frame == 2000
    assert steps == (67 if config.get("frames_per_action", 30) == 30 else 1999)


def test_start_positions_do_not_overlap():
    sim = dt.TrafficBatch()
    sim.reset(list(range(500)))
    assert not _overlaps(sim).any()
    assert np.all(sim.lane[:, 0] == 3)


def test_check_env_and_registration():
    env = gym.make("DeepTraffic-v0", render_mode="rgb_array")
    check_env(env.unwrapped)
    obs, info = env.reset(seed=3)
    assert obs.shape == (10, 3) and obs.dtype == np.float32
    assert set(info) >= {"speed_mph", "mean_mph", "cars_passed"}
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    env.close()


@pytest.mark.parametrize("config", [
    {"lanes_side": 3, "patches_ahead": 20, "patches_behind": 10, "obs_encoding": "mph"},
    {"temporal_window": 2, "other_agents": 2},
])
def test_check_env_other_configs(config):
    env = dt.DeepTrafficEnv(config, render_mode="rgb_array")
    check_env(env)
    obs, _ = env.reset(seed=0)
    assert obs.shape == env.observation_space.shape == dt.obs_shape(config)


def _trajectory(seed, actions):
    env = dt.DeepTrafficEnv(render_mode=None)
    obs, info = env.reset(seed=seed)
    out = [obs]
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        out.append(obs)
        out.append(np.array([r, info["speed_mph"], info["mean_mph"], info["cars_passed"]]))
    return out, env.unwrapped.sim


def test_identical_seeds_give_identical_trajectories():
    actions = np.random.default_rng(5).integers(0, 5, 40)
    a, sim_a = _trajectory(7, actions)
    b, sim_b = _trajectory(7, actions)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(sim_a.y, sim_b.y)
    c, _ = _trajectory(8, actions)
    assert any(not np.array_equal(u, v) for u, v in zip(a, c))


def test_batched_road_equals_single_env():
    seeds = [11, 12, 13]
    actions = np.random.default_rng(0).integers(0, 5, (30, len(seeds)))
    sim = dt.TrafficBatch()
    obs = sim.reset(seeds)
    batch_obs = [obs]
    for a in actions:
        obs, _, _, _ = sim.step(a)
        batch_obs.append(obs)
    for i, seed in enumerate(seeds):
        env = dt.DeepTrafficEnv()
        o, _ = env.reset(seed=seed)
        np.testing.assert_array_equal(o, batch_obs[0][i])
        for t, a in enumerate(actions[:, i]):
            o, *_ = env.step(int(a))
            np.testing.assert_array_equal(o, batch_obs[t + 1][i])


@pytest.mark.parametrize("bad", [5, -1, 2.5, "left", np.array([1, 2])])
def test_invalid_action_raises(bad):
    env = dt.DeepTrafficEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(bad)


def test_batch_action_count_and_config_errors():
    sim = dt.TrafficBatch()
    sim.reset([1, 2])
    with pytest.raises(ValueError, match="action"):
        sim.step([0])
    with pytest.raises(ValueError, match="unknown"):
        dt.TrafficBatch({"lanes": 3})
    with pytest.raises(ValueError, match="lanes_side"):
        dt.DeepTrafficEnv({"lanes_side": 9})
    with pytest.raises(ValueError, match="obs_encoding"):
        dt.DeepTrafficEnv({"obs_encoding": "pixels"})
    with pytest.raises(TypeError):
        dt.score("not a policy", runs=1)


def test_observation_encodings():
    env = dt.DeepTrafficEnv({"lanes_side": 4, "patches_ahead": 55, "patches_behind": 20})
    obs, _ = env.reset(seed=2)
    # the ego (lane 3) sees 4 lanes to each side: lane -1 is off the road (0), rows above the
    # road too; free cells read 1.0, cars their speed / 100 (at most 0.04)
    assert np.all(obs[:, 0] == 0.0)
    assert np.all(obs[:3] == 0.0)  # nose row 52: rows -3..-1 are off the road
    vals = obs[obs > 0]
    assert np.all((vals == 1.0) | (vals <= 0.04 + 1e-6))
    assert (vals < 1.0).any()
    env2 = dt.DeepTrafficEnv({"lanes_side": 4, "patches_ahead": 55, "patches_behind": 20,
                              "obs_encoding": "mph"})
    obs2, _ = env2.reset(seed=2)
    assert np.all(obs2[:, 0] == -1.0)
    np.testing.assert_allclose(obs2[(obs > 0) & (obs < 1)], 20 * obs[(obs > 0) & (obs < 1)],
                               rtol=1e-5)


def test_reward_and_speed_scale():
    env = dt.DeepTrafficEnv()
    env.reset(seed=4)
    total, n = 0.0, 0
    trunc = False
    while not trunc:
        obs, r, term, trunc, info = env.step(0)
        assert term is False
        total, n = total + r, n + 1
    assert n == 67 and info["frame"] == 2000
    # reward = 0.075 * mean mph - 3 over each decision: averages to the episode's mean mph
    assert abs((total / n + 3) / 0.075 - info["mean_mph"]) < 2.0
    env.close()


def test_score_median_and_other_agents():
    med, runs = dt.score(dt.noop_policy, runs=6, frames=300, progress=False, return_runs=True)
    assert med == pytest.approx(np.median(runs))
    calls = []

    def policy(obs):
        calls.append(len(obs))
        return np.zeros(len(obs), int)

    dt.score(policy, runs=4, frames=100, config={"other_agents": 2}, progress=False)
    assert calls[0] == 4 * 3
