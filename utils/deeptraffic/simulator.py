"""The batched simulator: many independent roads stepped in lockstep with numpy."""
from __future__ import annotations

import numpy as np
from gymnasium.utils import seeding

from . import roadmap as rm
from .config import (ACCELERATE, ACTIONS, BOTTOM_EXIT, CELL, DECELERATE, EGO_Y, EMPTY,
                     GAS_STEP, LANE_WIDTH, LANES, LATERAL_STEP, LEFT, MAX_GAS, N_CARS,
                     PATCHES, RIGHT, TOP_EXIT, check_actions, check_config, obs_shape)
from .lanechange import change_lanes
from .spawn import respawn, start_positions

_CHUNK = 50   # frames of random numbers drawn at once per road


class TrafficBatch:
    """``len(seeds)`` independent DeepTraffic roads simulated in lockstep.

    ``obs = sim.reset(seeds)`` starts every road (road ``i`` seeded with ``seeds[i]``);
    ``obs, reward, done, info = sim.step(actions)`` applies one decision per controlled car
    and simulates ``frames_per_action`` frames.  Observations and actions are flattened over
    roads and controlled cars: ``n_controlled = 1 + other_agents`` rows per road, ego first.
    Arrays of state (``y``, ``x``, ``lane``, ``gas``, ``safety``) have shape (roads, 20).
    Finer control: :meth:`apply_actions`, :meth:`tick` (one frame), :meth:`observe`.
    """

    def __init__(self, config=None):
        self.config = check_config(config)
        self.n_controlled = 1 + self.config["other_agents"]
        self.obs_shape = obs_shape(self.config)
        self.n_roads = 0

    # ------------------------------------------------------------------ set-up
    def reset(self, seeds=None, rngs=None):
        """Start ``len(seeds)`` roads (or one road per generator in ``rngs``) and return the
        first observations, shape ``(roads * n_controlled, *obs_shape)``."""
        if rngs is None:
            if seeds is None:
                raise ValueError("give seeds (a list of ints) or rngs (numpy Generators)")
            rngs = [seeding.np_random(int(s))[0] for s in np.atleast_1d(seeds)]
        rngs = list(rngs)
        if not rngs:
            raise ValueError("need at least one road")
        B, N = len(rngs), N_CARS
        self.n_roads, self.rngs = B, rngs
        self._base = (np.arange(B) * LANES * rm.NR)[:, None]
        # per road, draw in a fixed order: initial gas of the others, then placement
        gas0 = np.stack([r.random(N) for r in rngs])
        place = np.stack([r.random(N) for r in rngs])
        self.gas = 1.0 + 0.35 * gas0
        self.gas[:, 0] = MAX_GAS
        self.gas[:, 1:self.n_controlled] = 1.7
        self.safety = np.full((B, N), 2.0)
        self.lane, row = start_positions(place, self.config["start_clearance"])
        self.x = LANE_WIDTH * self.lane + 4.0
        self.y = CELL * row.astype(float)
        self.y[:, 0] = EGO_Y
        self.E = np.full(B, 1.5)
        self.frame = 0
        self.passed = np.zeros(B, np.int64)
        self.speed_sum = np.zeros((B, self.n_controlled))
        self.map = np.full((B, LANES, rm.NR), EMPTY)
        self._mapf = self.map.reshape(-1)
        self.changing = np.zeros((B, N), bool)
        self._behind = np.count_nonzero(self.y[:, 1:] >= EGO_Y, axis=1)
        self._rand = None
        self._frames_in_chunk = 0
        self._hist = None
        self._last_actions = np.zeros(B * self.n_controlled, np.int64)
        self.tick()  # frame 0: the first decision is taken after it
        return self.observe(new_episode=True)

    def _uniforms(self):
        """(B, 20, 3) uniforms for this frame: lane-change draw, respawn lane, respawn gas.
        Drawn per road in chunks so every road consumes its generator in the same order."""
        if self._rand is None:
            self._rand = np.empty((self.n_roads, _CHUNK, N_CARS, 3))
            self._frames_in_chunk = _CHUNK
        if self._frames_in_chunk == _CHUNK:
            for b, r in enumerate(self.rngs):
                r.random(out=self._rand[b])
            self._frames_in_chunk = 0
        u = self._rand[:, self._frames_in_chunk]
        self._frames_in_chunk += 1
        return u

    # ------------------------------------------------------------------ one frame
    def tick(self):
        """Simulate one frame: move, rebuild the map, respawn, safety systems, random lane
        changes of the uncontrolled cars."""
        if self.n_roads == 0:
            raise RuntimeError("call reset() first")
        u = self._uniforms()
        s = self.safety * self.gas
        self.y = self.y - s + self.E[:, None]
        behind = np.count_nonzero(self.y[:, 1:] >= EGO_Y, axis=1)  # cars passed = net crossings
        self.passed += behind - self._behind
        mb, mn = self._move_sideways()
        out = (self.y < TOP_EXIT) | (self.y > BOTTOM_EXIT)
        any_out = out.any()
        self._build_map(s, out if any_out else None, mb, mn)
        if any_out:
            behind += respawn(self, out, u)
        self._behind = behind
        self.E = 1.5 - (self.y[:, 0] - EGO_Y)
        self._update_safety()
        self._random_lane_changes(u)
        C = self.n_controlled
        self.speed_sum += np.maximum(0.0, self.safety[:, :C] * self.gas[:, :C])
        self.frame += 1

    def _move_sideways(self):
        """Cars changing lane move 2/3 unit towards the centre of their lane; returns the
        (road, car) indices of the cars that were changing lane."""
        mb, mn = np.nonzero(self.changing)
        if mb.size:
            target = LANE_WIDTH * self.lane[mb, mn] + 4.0
            dx = target - self.x[mb, mn]
            arrived = np.abs(dx) < LATERAL_STEP
            self.x[mb, mn] = np.where(arrived, target, self.x[mb, mn] + np.sign(dx) * LATERAL_STEP)
            self.changing[mb[arrived], mn[arrived]] = False
        return mb, mn

    def _build_map(self, s, out, mb, mn):
        """Mark every car's footprint (cars about to respawn are parked in scratch rows)."""
        rows = rm.rows(self.y)
        if out is not None:
            rows[out] = rm.SCRATCH
        self.map.fill(EMPTY)
        flat = self._base + self.lane * rm.NR + rows
        m = self._mapf
        m[flat] = s
        m[flat + 1] = s
        m[flat + 2] = s
        m[flat + 3] = s
        if mb.size:  # cars changing lane (or finishing) also cover the other lane
            col2 = rm.second_col(self.x[mb, mn], self.lane[mb, mn])
            f2 = self._base[mb, 0] + col2 * rm.NR + rows[mb, mn]
            m[f2[:, None] + rm.FOOT] = s[mb, mn][:, None]

    def _update_safety(self, roads=None):
        """The safety factor c of every car (all roads, or only ``roads``): the minimum, over
        the occupied cells b = 1..4 ahead of its nose, of min(0.5 (b - 1), s_lead / a), in its
        lane and, while it changes lane, in the lane under its centre (the game's rule)."""
        m = self._mapf
        if roads is None:
            base, y, x, lane, gas = self._base, self.y, self.x, self.lane, self.gas
        else:
            base, y, x = self._base[roads], self.y[roads], self.x[roads]
            lane, gas = self.lane[roads], self.gas[roads]
        flat = base + lane * rm.NR + np.clip(rm.rows(y), 4, rm.SCRATCH)  # parked: scratch
        v1, v2, v3, v4 = m[flat - 1], m[flat - 2], m[flat - 3], m[flat - 4]
        centre = rm.centre_col(x)
        mb, mn = np.nonzero(centre != lane)
        if mb.size:  # changing lane: also watch the lane under the car's centre
            f2 = flat[mb, mn] + (centre[mb, mn] - lane[mb, mn]) * rm.NR
            for k, v in enumerate((v1, v2, v3, v4)):
                v[mb, mn] = np.minimum(v[mb, mn], m[f2 - (k + 1)])
        near = np.where(v4 < EMPTY, 1.5, 2.0)
        near = np.where(v3 < EMPTY, 1.0, near)
        near = np.where(v2 < EMPTY, 0.5, near)
        near = np.where(v1 < EMPTY, 0.0, near)
        follow = np.minimum(np.minimum(v1, v2), np.minimum(v3, v4))
        follow /= np.maximum(gas, 1e-9)
        safety = np.minimum(near, follow)  # empty cells give follow >= 50: no limit
        # the end of a lane change: the body still covers the old lane, which the game no
        # longer watched; stop if the cell right ahead of the nose there is taken (enough to
        # never touch a car ahead in it: one row ahead free means >= 40 units nose to nose)
        other = rm.second_col(x, lane)
        gb, gn = np.nonzero((other != lane) & (other != centre))
        if gb.size:
            f3 = flat[gb, gn] + (other[gb, gn] - lane[gb, gn]) * rm.NR
            safety[gb[m[f3 - 1] < EMPTY], gn[m[f3 - 1] < EMPTY]] = 0.0
        parked = ~rm.on_road(y)
        if parked.any():  # a parked car keeps its speed
            safety[parked] = (self.safety if roads is None else self.safety[roads])[parked]
        if roads is None:
            self.safety = safety
        else:
            self.safety[roads] = safety

    def _random_lane_changes(self, u):
        """The uncontrolled cars sometimes try a random lane change."""
        C = self.n_controlled
        draw = u[:, C:, 0]
        thr = 0.99 + 0.004 * self.safety[:, C:]
        tb, tn = np.nonzero(draw > thr)
        if tb.size:
            t = thr[tb, tn]
            d = np.where(draw[tb, tn] > 0.5 * (1.0 + t), -1, 1)
            change_lanes(self, tb, tn + C, d)

    # ------------------------------------------------------------------ decisions
    def apply_actions(self, actions):
        """Apply one decision per controlled car (shape roads * n_controlled, values 0..4)."""
        if self.n_roads == 0:
            raise RuntimeError("call reset() first")
        B, C = self.n_roads, self.n_controlled
        act = check_actions(actions, B * C).reshape(B, C)
        gas = self.gas[:, :C]
        gas += GAS_STEP * (act == ACCELERATE) - GAS_STEP * (act == DECELERATE)
        np.clip(gas, 0.0, MAX_GAS, out=gas)
        turn = (act == LEFT) | (act == RIGHT)
        if turn.any():
            bi, ni = np.nonzero(turn)
            change_lanes(self, bi, ni, np.where(act[bi, ni] == LEFT, -1, 1))
        self._last_actions = act.reshape(-1)
        return act

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
            self.tick()
            total += self.safety[:, :C] * self.gas[:, :C]
        reward = (total * (30.0 / n) - 60.0) / 20.0
        done = self.frame >= cfg["episode_frames"]
        return self.observe(), reward.reshape(-1), done, self.info()

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
        idx = (self._base[..., None, None] + np.clip(lanes, 0, LANES - 1)[..., None, :] * rm.NR
               + np.clip(rows + rm.OFF, 0, rm.NR - 1)[..., :, None])
        v = self._mapf[idx]
        if cfg["obs_encoding"] == "original":
            g = np.where(on, np.where(v >= EMPTY, 1.0, v / 100.0), 0.0)
        else:
            g = np.where(on, np.where(v >= EMPTY, 1.0, 20.0 * v / 100.0), -1.0)
        return g.reshape(-1, rows.shape[-1], lanes.shape[-1]).astype(np.float32)

    def observe(self, new_episode=False):
        """The controlled cars' observations now (grids, plus the temporal window if any);
        call once per decision: it advances the window of past observations."""
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
    def on_road(self) -> np.ndarray:
        """(roads, 20) False for the cars parked off the road, waiting for a free lane to
        respawn in."""
        return rm.on_road(self.y)

    def overlapping_cars(self) -> np.ndarray:
        """(roads, 20, 20) True where the 15 x 34 bodies of two cars on the road intersect."""
        return rm.overlapping_bodies(self.x, self.y)

    def footprints_disjoint(self) -> bool:
        """True when no map cell is covered by two cars (each car's 4 rows from its nose row,
        in every lane its body covers and in the target lane of a lane change).  Not an
        invariant: cars 34..40 units apart can share a row; the invariant is that no two
        bodies overlap (:meth:`overlapping_cars`)."""
        return bool((rm.footprint_counts(self) <= 1).all())
