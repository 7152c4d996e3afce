"""Constants of the game, the environment's settings and the action check."""
from __future__ import annotations

import numpy as np

from ..checks import check_int

LANES = 7                 # lane 0 is the leftmost
PATCHES = 70              # cells along the visible road (row 0 at the top)
CELL = 10.0               # units per cell (along the road)
LANE_WIDTH = 20.0         # units per lane
CAR_W, CAR_H = 15.0, 34.0
N_CARS = 20               # ego + 19 others
EGO_Y = 525.0             # the camera keeps the ego's nose near this y (units from the top)
TOP_EXIT, TOP_SPAWN = -68.0, 734.0        # a car above y = -68 reappears at y = 734 ...
BOTTOM_EXIT, BOTTOM_SPAWN = 768.0, -34.0  # ... one below y = 768 reappears at y = -34
LATERAL_STEP = LANE_WIDTH / 30.0          # a lane change takes 30 frames
EMPTY = 100.0             # map value of a free cell (speeds are 0..4, so "occupied" = < 100)
MAX_GAS, GAS_STEP = 2.0, 0.02
ACTIONS = ("no action", "accelerate", "decelerate", "move left", "move right")
NOOP, ACCELERATE, DECELERATE, LEFT, RIGHT = range(5)
START_CLEARANCES = ("safe", "game")

_LIMITS = dict(lanes_side=(0, 6), patches_ahead=(0, 60), patches_behind=(0, 30),
               temporal_window=(0, 20), other_agents=(0, 10), frames_per_action=(1, 1000),
               episode_frames=(1, 10 ** 7))


def default_config() -> dict:
    """The environment's settings (a fresh dict; pass changes to the constructors).

    - ``lanes_side``: lanes seen on each side of the ego (observation width 2*lanes_side+1);
    - ``patches_ahead`` / ``patches_behind``: cells seen ahead of / behind the ego's nose
      (the nose row itself counts as "behind");
    - ``temporal_window``: past observations and one-hot past actions appended (0 = none);
    - ``other_agents``: 0..10 extra cars driven by copies of the same policy;
    - ``frames_per_action``: frames between two decisions (30 in the game);
    - ``episode_frames``: frames per episode (2000, as in the leaderboard);
    - ``obs_encoding``: ``"original"`` (empty 1.0, car = its speed in units/frame / 100,
      off-road 0) or ``"mph"`` (empty 1.0, car = its mph / 100, off-road -1);
    - ``start_clearance``: ``"safe"`` (default: at the start no other car has its nose in
      rows 49..67 of the ego's lane, so none overlaps the ego) or ``"game"`` (the original's
      rule, rows 52..67 only; a car with its nose in rows 49..51 of the ego's lane then
      starts overlapping the ego's nose, as in the browser game).
    """
    return dict(lanes_side=1, patches_ahead=10, patches_behind=0, temporal_window=0,
                other_agents=0, frames_per_action=30, episode_frames=2000,
                obs_encoding="original", start_clearance="safe")


def check_config(config) -> dict:
    """A complete, validated copy of ``config`` (defaults filled in), or a clear error."""
    cfg = default_config()
    if config:
        unknown = set(config) - set(cfg)
        if unknown:
            raise ValueError(f"unknown DeepTraffic setting(s) {sorted(unknown)}; "
                             f"known: {sorted(cfg)}")
        cfg.update(config)
    for key, (lo, hi) in _LIMITS.items():
        value = cfg[key]
        check_int(key, value, error=TypeError)
        if not lo <= value <= hi:
            raise ValueError(f"{key} must be in {lo}..{hi}, got {value}")
        cfg[key] = int(value)
    if cfg["patches_ahead"] + cfg["patches_behind"] < 1:
        raise ValueError("the ego must see at least one cell: patches_ahead + patches_behind >= 1")
    if cfg["obs_encoding"] not in ("original", "mph"):
        raise ValueError(f"obs_encoding must be 'original' or 'mph', got {cfg['obs_encoding']!r}")
    if cfg["start_clearance"] not in START_CLEARANCES:
        raise ValueError(f"start_clearance must be 'safe' or 'game', "
                         f"got {cfg['start_clearance']!r}")
    return cfg


_check_config = check_config  # the name used before the package split


def obs_shape(config=None) -> tuple:
    """Shape of one observation: the grid ``(patches_ahead + patches_behind, 2*lanes_side+1)``
    (row 0 farthest ahead) or, with a temporal window, a flat vector of the current and past
    grids followed by one-hot past actions."""
    cfg = check_config(config)
    rows = cfg["patches_ahead"] + cfg["patches_behind"]
    cols = 2 * cfg["lanes_side"] + 1
    if cfg["temporal_window"] == 0:
        return (rows, cols)
    t = cfg["temporal_window"]
    return (rows * cols * (t + 1) + len(ACTIONS) * t,)


def check_actions(actions, n: int) -> np.ndarray:
    """``actions`` as an int array of length ``n`` with values 0..4, or a clear error."""
    arr = np.asarray(actions)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or (np.issubdtype(arr.dtype, np.floating)
                                     and np.all(np.mod(arr, 1) == 0))):
        raise ValueError(f"actions must be integers 0..4 ({', '.join(ACTIONS)}), "
                         f"got {arr.dtype} values")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.size != n:
        raise ValueError(f"expected {n} action(s), got {arr.size}")
    bad = (arr < 0) | (arr >= len(ACTIONS))
    if bad.any():
        raise ValueError(f"invalid action {arr[bad][0]}: actions are integers 0..4 "
                         f"({', '.join(f'{i} {a}' for i, a in enumerate(ACTIONS))})")
    return arr
