"""DeepTraffic as a gymnasium environment, registered as ``"DeepTraffic-v0"``."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .config import ACTIONS, check_actions, check_config, default_config
from .render import render_road
from .simulator import TrafficBatch


class DeepTrafficEnv(gym.Env):
    """DeepTraffic as a gymnasium environment (one road, one decision per 30 frames).

    Observation: float32 grid ``(patches_ahead + patches_behind, 2*lanes_side + 1)``
    around the ego (see :func:`default_config` for the encodings); actions
    ``Discrete(5)``: 0 no action, 1 accelerate, 2 decelerate, 3 move left, 4 move right.
    Reward per decision ``(sum of c*a over 30 frames - 60) / 20`` = 0.075 mean mph - 3.
    Never terminates; truncates after ``episode_frames`` frames.
    With ``other_agents`` > 0 the extra cars act through ``agent_policy`` (a function
    observations -> actions; default: no action), set with :meth:`set_agent_policy`.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(self, config=None, render_mode=None, overlay=False, **kwargs):
        cfg = dict(config or {})
        cfg.update(kwargs)
        self.config = check_config(cfg)
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.render_mode = render_mode
        self.overlay = overlay
        self.sim = TrafficBatch(self.config)
        self.observation_space = spaces.Box(-1.0, 1.0, shape=self.sim.obs_shape,
                                            dtype=np.float32)
        self.action_space = spaces.Discrete(len(ACTIONS))
        self.agent_policy = None
        self._scroll = 0.0
        self._agent_obs = None

    @staticmethod
    def default_config() -> dict:
        return default_config()

    def set_agent_policy(self, policy):
        """Policy (batch of observations -> actions) for the ``other_agents`` cars."""
        self.agent_policy = policy

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        obs = self.sim.reset(rngs=[self.np_random])
        self._scroll = 0.0
        self._agent_obs = obs[1:]
        return obs[0], self._info()

    def step(self, action):
        if self.sim.n_roads == 0:
            raise RuntimeError("call reset() before step()")
        a = np.asarray(action)
        if a.ndim != 0 and a.size != 1:
            raise ValueError(f"one action expected (an integer 0..4), got shape {a.shape}")
        act = check_actions(a.reshape(-1), 1)
        C = self.sim.n_controlled
        if C > 1:
            others = (np.zeros(C - 1, np.int64) if self.agent_policy is None else
                      check_actions(self.agent_policy(self._agent_obs), C - 1))
            act = np.concatenate([act, others])
        frame0 = self.sim.frame
        obs, reward, done, _ = self.sim.step(act)
        self._scroll += float(self.sim.E[0]) * (self.sim.frame - frame0)
        self._agent_obs = obs[1:]
        return obs[0], float(reward[0]), False, bool(done), self._info()

    def _info(self):
        s = self.sim
        return {"speed_mph": float(20 * s.safety[0, 0] * s.gas[0, 0]),
                "mean_mph": float(20 * s.speed_sum[0, 0] / max(s.frame, 1)),
                "cars_passed": int(s.passed[0]), "frame": int(s.frame)}

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        if self.sim.n_roads == 0:
            raise RuntimeError("call reset() before render()")
        return render_road(self.sim, 0, overlay=self.overlay, scroll=self._scroll)


def register():
    """Register ``"DeepTraffic-v0"`` with gymnasium (once)."""
    if "DeepTraffic-v0" not in gym.registry:
        gym.register(id="DeepTraffic-v0", entry_point="utils.deeptraffic:DeepTrafficEnv")
