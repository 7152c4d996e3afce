"""The leaderboard protocol (:func:`score`), baseline policies, recorded drives and the
original game's measured scores."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ACTIONS, DECELERATE, check_config
from .render import render_road
from .simulator import TrafficBatch


def noop_policy(obs):
    """Never does anything (the ego keeps a = 2 and lets the safety system drive)."""
    return np.zeros(len(obs), np.int64)


def decelerate_policy(obs):
    """Always decelerates."""
    return np.full(len(obs), DECELERATE, np.int64)


def random_policy(seed=0):
    """A policy choosing uniformly among the 5 actions (its own seeded generator)."""
    rng = np.random.default_rng(seed)

    def policy(obs):
        return rng.integers(0, len(ACTIONS), len(obs))

    return policy


def _check_policy(policy):
    if not callable(policy):
        raise TypeError(f"policy must be a function observations -> actions, got {policy!r}")


def score(policy, runs: int = 500, frames: int = 2000, config=None, batch_size: int = 250,
          progress: bool = True, return_runs: bool = False, first_seed: int = 1):
    """The leaderboard protocol: for runs seeded ``first_seed .. first_seed + runs - 1``,
    drive ``frames`` frames with ``policy`` (a function: batch of observations -> actions)
    and take each run's mean mph of the controlled cars (20 x mean of max(0, c*a) per frame);
    the score is the **median** over runs.  ``return_runs=True`` also returns every run's
    mean mph.  Runs are simulated ``batch_size`` at a time in lockstep."""
    _check_policy(policy)
    if runs < 1 or frames < 1:
        raise ValueError(f"runs and frames must be >= 1, got {runs} and {frames}")
    cfg = check_config(config)
    cfg["episode_frames"] = int(frames)
    from tqdm.auto import tqdm

    speeds = []
    bar = tqdm(total=runs, desc="scoring", unit="run", disable=not progress, mininterval=1.0)
    for start in range(0, runs, batch_size):
        seeds = list(range(first_seed + start, first_seed + min(runs, start + batch_size)))
        sim = TrafficBatch(cfg)
        obs = sim.reset(seeds)
        done = False
        while not done:
            obs, _, done, _ = sim.step(policy(obs))
        speeds.append(sim.mean_mph())
        bar.update(len(seeds))
    bar.close()
    speeds = np.concatenate(speeds)
    med = float(np.median(speeds))
    return (med, speeds) if return_runs else med


def record(policy, seed: int = 1, frames: int = 600, every: int = 5, config=None,
           overlay: bool = False, stride: int = 1):
    """Drive one road (seeded ``seed``) for ``frames`` frames with ``policy`` and return
    ``(images, titles)``: an RGB picture every ``every`` frames (downsampled by ``stride``)
    and a caption for each (frame, ego mph, last action), ready for an animation."""
    _check_policy(policy)
    if frames < 1 or every < 1 or stride < 1:
        raise ValueError("frames, every and stride must be >= 1")
    cfg = check_config(config)
    cfg["episode_frames"] = int(frames)
    sim = TrafficBatch(cfg)
    obs = sim.reset([seed])
    images, titles, scroll = [], [], 0.0
    while sim.frame < frames:
        act = sim.apply_actions(policy(obs))
        for _ in range(min(cfg["frames_per_action"], frames - sim.frame)):
            sim.tick()
            scroll += float(sim.E[0])
            if sim.frame % every == 0:
                img = render_road(sim, 0, overlay=overlay, scroll=scroll)
                images.append(img[::stride, ::stride])
                mph = 20 * sim.safety[0, 0] * sim.gas[0, 0]
                titles.append(f"frame {sim.frame}: {mph:.0f} mph, {ACTIONS[act[0, 0]]}")
        obs = sim.observe()
    return np.stack(images), titles


@dataclass
class Baselines:
    """Median mph the original browser game measured (500 runs x 2000 frames); its
    leaderboard's top entries, with up to ten other agents, reached about 76.3 mph."""
    noop: float = 51.6
    decelerate: float = 44.5
    random: float = 60.3
    course_dqn: float = 66.8
    leaderboard_top: float = 76.3


ORIGINAL = Baselines()
