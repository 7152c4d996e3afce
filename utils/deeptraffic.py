"""DeepTraffic, re-created in Python: a 7-lane highway where one car (the "ego", red) is
driven by a learning agent and 19 others follow simple rules.

This is a re-implementation, written from the rules of MIT's DeepTraffic game ("version 2"),
of its simulator so that the game can be scripted, tested and reproduced outside a browser.
Units follow the game: the road is 7 lanes x 70 cells ("patches"); a cell is 10 units long,
a lane 20 units wide, a car 15 x 34 units.  A car's speed is ``s = c * a`` units per frame,
where ``a`` (0..2) is its gas setting and ``c`` (0..2) the factor its safety system allows;
``mph = 20 * s``, so 80 mph is the top speed.

Two ways to drive it:

- :class:`DeepTrafficEnv`, a ``gymnasium.Env`` (registered as ``"DeepTraffic-v0"``): one road,
  one decision every 30 frames, observation = the occupancy grid around the ego;
- :class:`TrafficBatch`, many independent roads stepped in lockstep with numpy (a batch
  dimension everywhere), used to collect training experience and by :func:`score`, the
  leaderboard protocol (median over seeded runs of the ego's mean mph over 2000 frames).

Road ``i`` of a batch seeded with ``seeds`` behaves exactly like ``DeepTrafficEnv`` reset with
``seed=seeds[i]`` (each road owns its random generator, consumed in the same order).

Deliberate choices where the game's rules leave room (all in the spirit of "no two cars ever
overlap", which the original did not always guarantee):

- the occupancy map also covers the unseen strips above and below the road, so cars that
  leave the screen still see each other; a car that respawns picks a random lane among those
  free at its spawn point (the game did not check);
- a car changing lane occupies both lanes on the map for the whole manoeuvre, its safety
  system watches both, and two cars cannot claim the same gap in the same frame;
- at the start no other car has its nose in rows 49..67 of the ego's lane (the game cleared
  rows 52..67, which let a car start overlapping the ego's nose).

With these rules the simulator reproduces the game's measured leaderboard medians (500 runs
x 2000 frames): do nothing 51.6, always decelerate 44.5, uniform random 60.3 mph.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

try:  # gymnasium is a course requirement; keep the batched simulator importable without it
    import gymnasium as gym
    from gymnasium import spaces
    from gymnasium.utils import seeding
except ImportError:  # pragma: no cover
    gym = None

# ----------------------------------------------------------------------------- constants
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

# the occupancy map covers rows -_OFF .. PATCHES + 10 (cars off screen included), plus a few
# scratch rows at the end that nothing reads (where cars about to respawn are "parked")
_OFF = 12
_SCRATCH = _OFF + PATCHES + 11
_NR = _SCRATCH + 4
_AR4 = np.arange(4)                 # the 4 rows a car covers, from its nose row
_AR14 = np.arange(1, 5)             # the 4 cells its safety system watches ahead
_HALF_B = 0.5 * (_AR14 - 1)         # speed limit 0.5 (b - 1) when cell b is occupied
_LANES_NR = np.arange(LANES) * _NR


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
      off-road 0) or ``"mph"`` (empty 1.0, car = its mph / 100, off-road -1).
    """
    return dict(lanes_side=1, patches_ahead=10, patches_behind=0, temporal_window=0,
                other_agents=0, frames_per_action=30, episode_frames=2000,
                obs_encoding="original")


def _check_config(config) -> dict:
    cfg = default_config()
    if config:
        unknown = set(config) - set(cfg)
        if unknown:
            raise ValueError(f"unknown DeepTraffic setting(s) {sorted(unknown)}; "
                             f"known: {sorted(cfg)}")
        cfg.update(config)
    limits = dict(lanes_side=(0, 6), patches_ahead=(0, 60), patches_behind=(0, 30),
                  temporal_window=(0, 20), other_agents=(0, 10), frames_per_action=(1, 1000),
                  episode_frames=(1, 10 ** 7))
    for key, (lo, hi) in limits.items():
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{key} must be an integer, got {value!r}")
        if not lo <= value <= hi:
            raise ValueError(f"{key} must be in {lo}..{hi}, got {value}")
        cfg[key] = int(value)
    if cfg["patches_ahead"] + cfg["patches_behind"] < 1:
        raise ValueError("the ego must see at least one cell: patches_ahead + patches_behind >= 1")
    if cfg["obs_encoding"] not in ("original", "mph"):
        raise ValueError(f"obs_encoding must be 'original' or 'mph', got {cfg['obs_encoding']!r}")
    return cfg


def obs_shape(config=None) -> tuple:
    """Shape of one observation: the grid ``(patches_ahead + patches_behind, 2*lanes_side+1)``
    (row 0 farthest ahead) or, with a temporal window, a flat vector of the current and past
    grids followed by one-hot past actions."""
    cfg = _check_config(config)
    rows = cfg["patches_ahead"] + cfg["patches_behind"]
    cols = 2 * cfg["lanes_side"] + 1
    if cfg["temporal_window"] == 0:
        return (rows, cols)
    t = cfg["temporal_window"]
    return (rows * cols * (t + 1) + len(ACTIONS) * t,)


def _rng(seed):
    if gym is not None:
        return seeding.np_random(seed)[0]
    return np.random.default_rng(seed)  # pragma: no cover


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


# ----------------------------------------------------------------------- the simulator
class TrafficBatch:
    """``len(seeds)`` independent DeepTraffic roads simulated in lockstep.

    ``obs = sim.reset(seeds)`` starts every road (road ``i`` seeded with ``seeds[i]``);
    ``obs, reward, done, info = sim.step(actions)`` applies one decision per controlled car
    and simulates ``frames_per_action`` frames.  Observations and actions are flattened over
    roads and controlled cars: ``n_controlled = 1 + other_agents`` rows per road, ego first.
    Arrays of state (``y``, ``x``, ``lane``, ``gas``, ``safety``) have shape (roads, 20).
    """

    def __init__(self, config=None):
        self.config = _check_config(config)
        cfg = self.config
        self.n_controlled = 1 + cfg["other_agents"]
        self.obs_shape = obs_shape(cfg)
        self.n_roads = 0

    # ------------------------------------------------------------------ set-up
    def reset(self, seeds=None, rngs=None):
        """Start ``len(seeds)`` roads (or one road per generator in ``rngs``) and return the
        first observations, shape ``(roads * n_controlled, *obs_shape)``."""
        if rngs is None:
            if seeds is None:
                raise ValueError("give seeds (a list of ints) or rngs (numpy Generators)")
            seeds = [int(s) for s in np.atleast_1d(seeds)]
            rngs = [_rng(s) for s in seeds]
        rngs = list(rngs)
        if not rngs:
            raise ValueError("need at least one road")
        B, N = len(rngs), N_CARS
        self.n_roads, self.rngs = B, rngs
        self._rb = np.arange(B)[:, None]
        self._base = (np.arange(B) * LANES * _NR)[:, None]
        # per road, draw in a fixed order: initial gas of the others, then placement
        gas0 = np.stack([r.random(N) for r in rngs])
        place = np.stack([r.random(N) for r in rngs])
        self.gas = 1.0 + 0.35 * gas0
        self.gas[:, 0] = MAX_GAS
        self.gas[:, 1:self.n_controlled] = 1.7
        self.safety = np.full((B, N), 2.0)
        lane = np.zeros((B, N), np.int64)
        row = np.zeros((B, N), np.int64)
        lane[:, 0], row[:, 0] = 3, 52
        legal = np.ones((B, LANES, PATCHES), bool)
        rows = np.arange(PATCHES)

        def exclude(ln, center):  # rows center-4 .. center+11 of lane ln stay clear
            block = (rows[None, :] >= center[:, None] - 4) & (rows[None, :] <= center[:, None] + 11)
            legal[np.arange(B), ln] &= ~block

        # the game keeps rows 52..67 of the ego's lane clear (its y/10 + 4, -4..+11); a car
        # with its nose in rows 49..51 would overlap the ego's nose at y = 525, so those too
        exclude(lane[:, 0], row[:, 0] + 4)
        exclude(lane[:, 0], row[:, 0] + 1)
        for n in range(1, N):  # sequential over the 19 placements (reset only), batched over roads
            flat = legal.reshape(B, -1)
            count = flat.sum(1)
            k = np.minimum((place[:, n] * count).astype(np.int64), count - 1)
            cum = np.cumsum(flat, 1)
            idx = np.argmax(cum > k[:, None], axis=1)
            lane[:, n], row[:, n] = idx // PATCHES, idx % PATCHES
            exclude(lane[:, n], row[:, n])
        self.lane = lane
        self.x = LANE_WIDTH * lane + 4.0
        self.y = CELL * row.astype(float)
        self.y[:, 0] = EGO_Y
        self.E = np.full(B, 1.5)
        self.frame = 0
        self.passed = np.zeros(B, np.int64)
        self.speed_sum = np.zeros((B, self.n_controlled))
        self.map = np.full((B, LANES, _NR), EMPTY)
        self.changing = np.zeros((B, N), bool)
        self._gas_safe = np.maximum(self.gas, 1e-9)
        self._lanes_changed()
        self._behind = np.count_nonzero(self.y[:, 1:] >= EGO_Y, axis=1)
        self._mapf = self.map.reshape(-1)
        self._rand = None
        self._frames_in_chunk = 0
        self._hist = None
        self._last_actions = np.zeros(B * self.n_controlled, np.int64)
        self._frame()  # frame 0: the first decision is taken after it
        return self._observe(new_episode=True)

    # ------------------------------------------------------------------ randomness
    _CHUNK = 50

    def _uniforms(self):
        """(B, 20, 3) uniforms for this frame: lane-change draw, respawn lane, respawn gas.
        Drawn per road in chunks so every road consumes its generator in the same order."""
        if self._rand is None:
            self._rand = np.empty((self.n_roads, self._CHUNK, N_CARS, 3))
            self._frames_in_chunk = self._CHUNK
        if self._frames_in_chunk == self._CHUNK:
            for b, r in enumerate(self.rngs):
                r.random(out=self._rand[b])
            self._frames_in_chunk = 0
        u = self._rand[:, self._frames_in_chunk]
        self._frames_in_chunk += 1
        return u

    # ------------------------------------------------------------------ the map
    # self.map[road, lane, row + _OFF] holds the speed s = c*a of the car covering that cell
    # (EMPTY if none).  A car covers 4 rows from its nose row in its lane and, while it
    # changes lane, in the lane its body still overlaps.
    @staticmethod
    def _rows(y):
        """Map row index (with the offset) of the cell containing y."""
        return ((y + _OFF * CELL) * (1.0 / CELL)).astype(np.int64)

    @staticmethod
    def _second_col(x, lane):
        """The other lane a car's body overlaps (== lane when it is settled)."""
        c1 = np.floor(x / LANE_WIDTH).astype(np.int64)
        c2 = np.floor((x + 10.0) / LANE_WIDTH).astype(np.int64)
        return np.clip(np.where(c1 != lane, c1, c2), 0, LANES - 1)

    def _mark_subset(self, b, n):
        """Mark the cells of cars (b, n) (both lanes if they are changing lane)."""
        if b.size == 0:
            return
        r = self._rows(self.y[b, n])
        s = (self.safety[b, n] * self.gas[b, n])[:, None]
        base = b * (LANES * _NR) + r
        self._mapf[(base + self.lane[b, n] * _NR)[:, None] + _AR4] = s
        self._mapf[(base + self._second_col(self.x[b, n], self.lane[b, n]) * _NR)[:, None]
                   + _AR4] = s

    def _lanes_changed(self, b=None, n=None):
        if b is None:
            self._lane_base = self._base + self.lane * _NR
        else:
            self._lane_base[b, n] = self._base[b, 0] + self.lane[b, n] * _NR

    # ------------------------------------------------------------------ one frame
    def _frame(self):
        u = self._uniforms()
        C = self.n_controlled
        s = self.safety * self.gas
        y = self.y - s
        y += self.E[:, None]
        self.y = y
        behind = np.count_nonzero(y[:, 1:] >= EGO_Y, axis=1)   # cars passed = net crossings
        self.passed += behind - self._behind
        # sideways: 2/3 unit per frame towards the centre of the car's lane
        mb, mn = np.nonzero(self.changing)
        if mb.size:
            target = LANE_WIDTH * self.lane[mb, mn] + 4.0
            dx = target - self.x[mb, mn]
            arrived = np.abs(dx) < LATERAL_STEP
            self.x[mb, mn] = np.where(arrived, target, self.x[mb, mn] + np.sign(dx) * LATERAL_STEP)
            self.changing[mb[arrived], mn[arrived]] = False
        # the occupancy map (cars about to respawn are parked in scratch rows)
        out = (y < TOP_EXIT) | (y > BOTTOM_EXIT)
        any_out = out.any()
        rows = self._rows(y)
        if any_out:
            rows[out] = _SCRATCH
        self.map.fill(EMPTY)
        flat = self._lane_base + rows
        m = self._mapf
        m[flat] = s
        m[flat + 1] = s
        m[flat + 2] = s
        m[flat + 3] = s
        if mb.size:  # cars changing lane (or finishing) also cover the other lane
            col2 = self._second_col(self.x[mb, mn], self.lane[mb, mn])
            f2 = self._base[mb, 0] + col2 * _NR + rows[mb, mn]
            self._mapf[f2[:, None] + _AR4] = s[mb, mn][:, None]
        if any_out:
            behind += self._respawn(out, u)
            flat = self._lane_base + self._rows(self.y)
        self._behind = behind
        self.E = 1.5 - (self.y[:, 0] - EGO_Y)
        # safety system: c = min over occupied cells b = 1..4 ahead of min(0.5 (b-1), s_lead / a)
        v1, v2, v3, v4 = m[flat - 1], m[flat - 2], m[flat - 3], m[flat - 4]
        if mb.size:  # changing lane: watch both lanes
            col2 = np.floor((self.x[mb, mn] + 7.5) / LANE_WIDTH).astype(np.int64)
            f2 = self._base[mb, 0] + col2 * _NR + self._rows(self.y[mb, mn])
            for k, v in enumerate((v1, v2, v3, v4)):
                v[mb, mn] = np.minimum(v[mb, mn], m[f2 - (k + 1)])
        near = np.where(v4 < EMPTY, 1.5, 2.0)
        near = np.where(v3 < EMPTY, 1.0, near)
        near = np.where(v2 < EMPTY, 0.5, near)
        near = np.where(v1 < EMPTY, 0.0, near)
        follow = np.minimum(np.minimum(v1, v2), np.minimum(v3, v4))
        follow /= self._gas_safe
        self.safety = np.minimum(near, follow)  # empty cells give follow >= 50: no limit
        # the others (not controlled) sometimes try a random lane change
        draw = u[:, C:, 0]
        thr = 0.99 + 0.004 * self.safety[:, C:]
        tb, tn = np.nonzero(draw > thr)
        if tb.size:
            t = thr[tb, tn]
            d = np.where(draw[tb, tn] > 0.5 * (1.0 + t), -1, 1)
            self._change_lanes(tb, tn + C, d)
        self.speed_sum += np.maximum(0.0, self.safety[:, :C] * self.gas[:, :C])
        self.frame += 1

    def _respawn(self, out, u):
        """Cars that left the top reappear below the screen and vice versa, in a random
        lane free at the spawn point (new random gas for the uncontrolled ones).
        Returns the change, per road, of the number of other cars behind the ego's nose."""
        bi, ni = np.nonzero(out)
        from_top = self.y[bi, ni] < TOP_EXIT
        new_y = np.where(from_top, TOP_SPAWN, BOTTOM_SPAWN)
        r = self._rows(new_y)
        idx = ((bi * (LANES * _NR) + r)[:, None, None] + _LANES_NR[None, :, None]
               + _AR4[None, None, :])
        free = (self._mapf[idx] >= EMPTY).all(-1)               # (K, 7)
        key = bi * 2 + from_top
        clash = np.zeros(bi.size, bool)
        if np.unique(key).size < key.size:  # two spawns at the same spot of a road: one by one
            _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
            clash = cnt[inv] > 1
        nfree = free.sum(1)
        k = np.minimum((u[bi, ni, 1] * nfree).astype(np.int64), np.maximum(nfree - 1, 0))
        pick = np.argmax(np.cumsum(free, 1) > k[:, None], axis=1)
        lane = np.where(nfree > 0, pick, -1)
        for j in np.flatnonzero(clash):
            f = (self._mapf[idx[j]] >= EMPTY).all(-1)
            opts = np.flatnonzero(f)
            lane[j] = (opts[min(int(u[bi[j], ni[j], 1] * opts.size), opts.size - 1)]
                       if opts.size else -1)
            if lane[j] >= 0:
                self._mapf[idx[j, lane[j]]] = 0.0  # reserved (overwritten by the marking below)
        ok = lane >= 0
        # nowhere to go yet: wait just outside the edge and retry next frame
        self.y[bi[~ok], ni[~ok]] = np.where(from_top[~ok], TOP_EXIT, BOTTOM_EXIT)
        b, n = bi[ok], ni[ok]
        self.lane[b, n] = lane[ok]
        self.x[b, n] = LANE_WIDTH * lane[ok] + 4.0
        self.changing[b, n] = False
        self.y[b, n] = new_y[ok]
        npc = n >= self.n_controlled
        self.gas[b[npc], n[npc]] = 1.0 + 0.35 * u[b[npc], n[npc], 2]
        self._gas_safe[b, n] = np.maximum(self.gas[b, n], 1e-9)
        self._lanes_changed(b, n)
        self._mark_subset(bi, ni)
        delta = np.zeros(self.n_roads, np.int64)
        others = n > 0
        np.add.at(delta, b[others], np.where(from_top[ok][others], 1, -1))
        return delta

    def _change_lanes(self, bi, ni, d):
        """Try lane changes (road bi, car ni, direction d = -1 left / +1 right); returns the
        accepted mask.  Refused mid-change, at the road edge, or if any target-lane cell from
        3*a cells ahead of the nose to 3 behind it is occupied or off the road."""
        if bi.size == 0:
            return np.zeros(0, bool)
        x, y, a, lane = self.x[bi, ni], self.y[bi, ni], self.gas[bi, ni], self.lane[bi, ni]
        settled = np.abs(x - (LANE_WIDTH * lane + 4.0)) < 0.5
        col = np.floor((x + 7.5) / LANE_WIDTH).astype(np.int64) + d
        inside = (col >= 0) & (col < LANES)
        off = -3.0 * a[:, None] + np.arange(10)
        valid = off < 4.0
        rows = np.floor(y[:, None] / CELL + off).astype(np.int64)
        on_road = (rows >= 0) & (rows < PATCHES)
        v = self._mapf[(bi * (LANES * _NR))[:, None] + np.clip(col, 0, LANES - 1)[:, None] * _NR
                       + np.clip(rows + _OFF, 0, _NR - 1)]
        ok = settled & inside & np.all(~valid | (on_road & (v >= EMPTY)), axis=1)
        if not ok.any():
            return ok
        acc = np.flatnonzero(ok)
        # two cars must not claim the same gap in the same frame: first come, first served
        key = bi[acc] * (LANES + 1) + col[acc]
        if np.unique(key).size < key.size:
            lo = np.where(valid, rows, 10 ** 6).min(1)
            hi = np.where(valid, rows, -10 ** 6).max(1)
            r0 = np.floor(y / CELL).astype(np.int64)
            taken = {}
            for j in acc[np.lexsort((ni[acc], bi[acc]))]:
                k = (bi[j], col[j])
                if any(lo[j] <= rb + 3 and rb <= hi[j] for rb in taken.get(k, [])):
                    ok[j] = False
                else:
                    taken.setdefault(k, []).append(r0[j])
            acc = np.flatnonzero(ok)
        b, n = bi[acc], ni[acc]
        self.lane[b, n] += d[acc]
        self.changing[b, n] = True
        self._lanes_changed(b, n)
        self._mark_subset(b, n)
        return ok

    # ------------------------------------------------------------------ decisions
    def apply_actions(self, actions):
        """Apply one decision per controlled car (shape roads * n_controlled, values 0..4)."""
        B, C = self.n_roads, self.n_controlled
        act = check_actions(actions, B * C).reshape(B, C)
        gas = self.gas[:, :C]
        gas += GAS_STEP * (act == ACCELERATE) - GAS_STEP * (act == DECELERATE)
        np.clip(gas, 0.0, MAX_GAS, out=gas)
        self._gas_safe[:, :C] = np.maximum(gas, 1e-9)
        turn = (act == LEFT) | (act == RIGHT)
        if turn.any():
            bi, ni = np.nonzero(turn)
            self._change_lanes(bi, ni, np.where(act[bi, ni] == LEFT, -1, 1))
        self._last_actions = act.reshape(-1)

    def step(self, actions):
        """One decision: apply ``actions``, simulate up to ``frames_per_action`` frames.

        Returns ``obs, reward, done, info``: reward per controlled car
        ``(sum of c*a over the frames - 60) / 20`` (scaled to 30 frames if the episode ends
        earlier), ``done`` True once ``episode_frames`` frames were simulated (all roads end
        together), info with ``speed_mph``, ``mean_mph`` (per controlled car) and
        ``cars_passed`` (per road)."""
        if self.n_roads == 0:
            raise RuntimeError("call reset() first")
        cfg = self.config
        if self.frame >= cfg["episode_frames"]:
            raise RuntimeError("the episode is over: call reset()")
        self.apply_actions(actions)
        C = self.n_controlled
        total = np.zeros((self.n_roads, C))
        n = min(cfg["frames_per_action"], cfg["episode_frames"] - self.frame)
        for _ in range(n):
            self._frame()
            total += self.safety[:, :C] * self.gas[:, :C]
        reward = (total * (30.0 / n) - 60.0) / 20.0
        done = self.frame >= cfg["episode_frames"]
        obs = self._observe()
        return obs, reward.reshape(-1), done, self.info()

    def info(self) -> dict:
        C = self.n_controlled
        return {"speed_mph": (20.0 * self.safety[:, :C] * self.gas[:, :C]).reshape(-1),
                "mean_mph": (20.0 * self.speed_sum / max(self.frame, 1)).reshape(-1),
                "cars_passed": self.passed.copy(), "frame": self.frame}

    def mean_mph(self) -> np.ndarray:
        """Per road: the mean mph since reset, averaged over the controlled cars."""
        return (20.0 * self.speed_sum / max(self.frame, 1)).mean(1)

    # ------------------------------------------------------------------ observations
    def grids(self) -> np.ndarray:
        """The occupancy grids the controlled cars see, (roads * n_controlled, rows, cols)."""
        cfg = self.config
        C, ls = self.n_controlled, cfg["lanes_side"]
        ahead, behind = cfg["patches_ahead"], cfg["patches_behind"]
        r0 = np.floor(self.y[:, :C] / CELL).astype(np.int64)          # (B, C)
        rows = r0[..., None] + np.arange(-ahead, behind)                # (B, C, P)
        lanes = self.lane[:, :C, None] + np.arange(-ls, ls + 1)          # (B, C, L)
        on = ((rows >= 0) & (rows < PATCHES))[..., :, None] & \
             ((lanes >= 0) & (lanes < LANES))[..., None, :]
        idx = (self._base[..., None, None] + np.clip(lanes, 0, LANES - 1)[..., None, :] * _NR
               + np.clip(rows + _OFF, 0, _NR - 1)[..., :, None])
        v = self._mapf[idx]
        if cfg["obs_encoding"] == "original":
            g = np.where(v >= EMPTY, 1.0, v / 100.0)
            g = np.where(on, g, 0.0)
        else:
            g = np.where(v >= EMPTY, 1.0, 20.0 * v / 100.0)
            g = np.where(on, g, -1.0)
        return g.reshape(-1, rows.shape[-1], lanes.shape[-1]).astype(np.float32)

    def _observe(self, new_episode=False):
        g = self.grids()
        t = self.config["temporal_window"]
        if t == 0:
            return g
        flat = g.reshape(len(g), -1)
        if new_episode or self._hist is None:
            self._hist = np.repeat(flat[:, None], t, 1)
            self._hist_act = np.zeros((len(g), t, len(ACTIONS)), np.float32)
        else:
            onehot = np.eye(len(ACTIONS), dtype=np.float32)[self._last_actions]
            self._hist_act = np.concatenate([onehot[:, None], self._hist_act[:, :-1]], 1)
        obs = np.concatenate([flat, self._hist.reshape(len(g), -1),
                              self._hist_act.reshape(len(g), -1)], 1)
        self._hist = np.concatenate([flat[:, None], self._hist[:, :-1]], 1)
        return obs.astype(np.float32)

    # ------------------------------------------------------------------ checks
    def footprints_disjoint(self) -> bool:
        """True when no map cell is covered by two cars (the no-overlap invariant; a test
        helper with a loop over cars, not used by the simulation)."""
        B = self.n_roads
        r = self._rows(self.y)
        cols = (self.lane, self._second_col(self.x, self.lane))
        owner = np.full((B, LANES, _NR), -1)
        for n in range(N_CARS):
            for col in {tuple(cols[0][:, n]): cols[0], tuple(cols[1][:, n]): cols[1]}.values():
                rr = r[:, n, None] + _AR4
                cc = np.broadcast_to(col[:, n, None], rr.shape)
                prev = owner[self._rb, cc, rr]
                if ((prev >= 0) & (prev != n)).any():
                    return False
                owner[self._rb, cc, rr] = n
        return True


# ------------------------------------------------------------------------- rendering
def render_road(sim: TrafficBatch, road: int = 0, scale: int = 1, overlay: bool = False,
                scroll: float = 0.0, show_view: bool = True) -> np.ndarray:
    """An RGB picture (H, W, 3) uint8 of one road: ego red, other controlled cars orange,
    the rest light grey; ``overlay`` tints the occupied cells of the map; ``show_view``
    outlines the cells the ego observes."""
    if sim.n_roads == 0:
        raise RuntimeError("call reset() first")
    margin = 10
    H, W = int(PATCHES * CELL), int(LANES * LANE_WIDTH) + 2 * margin
    img = np.zeros((H, W, 3), np.uint8)
    img[:] = (60, 60, 64)
    img[:, :margin] = img[:, -margin:] = (40, 110, 40)
    for k in range(1, LANES):  # dashed lane lines scrolling with the camera
        xline = margin + int(k * LANE_WIDTH) - 1
        for yy in np.arange(-20, H + 20, 20) + (scroll % 20):
            y0, y1 = int(max(0, yy)), int(min(H, yy + 9))
            if y1 > y0:
                img[y0:y1, xline:xline + 2] = (200, 200, 200)
    if overlay:
        m = sim.map[road, :, _OFF:_OFF + PATCHES]
        for ln, rr in zip(*np.nonzero(m < EMPTY)):
            y0, x0 = int(rr * CELL), margin + int(ln * LANE_WIDTH)
            sub = img[y0 + 1:y0 + 9, x0 + 2:x0 + 18].astype(int)
            img[y0 + 1:y0 + 9, x0 + 2:x0 + 18] = (sub * 0.5 + np.array([250, 140, 0]) * 0.5)
    if show_view:
        cfg = sim.config
        r0 = int(np.floor(sim.y[road, 0] / CELL))
        top = max(0, (r0 - cfg["patches_ahead"])) * CELL
        bot = min(PATCHES, r0 + cfg["patches_behind"]) * CELL
        l0 = max(0, sim.lane[road, 0] - cfg["lanes_side"])
        l1 = min(LANES, sim.lane[road, 0] + cfg["lanes_side"] + 1)
        xa, xb = margin + int(l0 * LANE_WIDTH), margin + int(l1 * LANE_WIDTH) - 1
        ya, yb = int(top), int(bot) - 1
        if yb > ya:
            green = (80, 220, 80)
            img[ya:yb + 1, xa] = img[ya:yb + 1, xb] = green
            img[ya, xa:xb + 1] = img[yb, xa:xb + 1] = green
    C = sim.n_controlled
    for n in list(range(N_CARS - 1, 0, -1)) + [0]:
        x0, y0 = margin + sim.x[road, n], sim.y[road, n]
        ya, yb = int(round(max(0, y0))), int(round(min(H, y0 + CAR_H)))
        xa, xb = int(round(x0)), int(round(x0 + CAR_W))
        if yb <= ya:
            continue
        color = (220, 30, 30) if n == 0 else (240, 150, 30) if n < C else (225, 225, 225)
        img[ya:yb, xa:xb] = color
        img[ya:min(yb, ya + 3), xa + 2:xb - 2] = (90, 90, 110)  # windscreen at the nose
    if scale > 1:
        img = img.repeat(scale, 0).repeat(scale, 1)
    return img


# ---------------------------------------------------------------------- the gym env
if gym is not None:
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
            self.config = _check_config(cfg)
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

    if "DeepTraffic-v0" not in gym.registry:
        gym.register(id="DeepTraffic-v0", entry_point="utils.deeptraffic:DeepTrafficEnv")


# --------------------------------------------------------------------------- scoring
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


def score(policy, runs: int = 500, frames: int = 2000, config=None, batch_size: int = 250,
          progress: bool = True, return_runs: bool = False, first_seed: int = 1):
    """The leaderboard protocol: for runs seeded ``first_seed .. first_seed + runs - 1``,
    drive ``frames`` frames with ``policy`` (a function: batch of observations -> actions)
    and take each run's mean mph of the controlled cars (20 x mean of max(0, c*a) per frame);
    the score is the **median** over runs.  ``return_runs=True`` also returns every run's
    mean mph.  Runs are simulated ``batch_size`` at a time in lockstep."""
    if not callable(policy):
        raise TypeError(f"policy must be a function observations -> actions, got {policy!r}")
    if runs < 1 or frames < 1:
        raise ValueError(f"runs and frames must be >= 1, got {runs} and {frames}")
    cfg = _check_config(config)
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
    if not callable(policy):
        raise TypeError(f"policy must be a function observations -> actions, got {policy!r}")
    if frames < 1 or every < 1 or stride < 1:
        raise ValueError("frames, every and stride must be >= 1")
    cfg = _check_config(config)
    cfg["episode_frames"] = int(frames)
    sim = TrafficBatch(cfg)
    obs = sim.reset([seed])
    images, titles, scroll = [], [], 0.0
    while sim.frame < frames:
        act = check_actions(policy(obs), sim.n_controlled)
        sim.apply_actions(act)
        for _ in range(min(cfg["frames_per_action"], frames - sim.frame)):
            sim._frame()
            scroll += float(sim.E[0])
            if sim.frame % every == 0:
                img = render_road(sim, 0, overlay=overlay, scroll=scroll)
                images.append(img[::stride, ::stride])
                titles.append(f"frame {sim.frame}: {20 * sim.safety[0, 0] * sim.gas[0, 0]:.0f} mph,"
                              f" {ACTIONS[act[0]]}")
        obs = sim._observe()
    return np.stack(images), titles


@dataclass
class Baselines:
    """Median mph the original browser game measured (500 runs x 2000 frames)."""
    noop: float = 51.6
    decelerate: float = 44.5
    random: float = 60.3
    course_dqn: float = 66.8


ORIGINAL = Baselines()
