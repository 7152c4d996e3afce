"""The occupancy map: which cells of the road each car covers.

``sim.map[road, lane, row + OFF]`` holds the speed ``s = c*a`` of the car covering that cell
(``EMPTY`` if none).  A car covers 4 rows from its nose row (the game's footprint) in every
lane its 15-unit-wide body overlaps; a car that has just started a lane change also covers
its target lane.  The map covers rows ``-OFF .. PATCHES + BELOW - 1`` (cars just off the
screen included, down to ``BOTTOM_EXIT``), plus a few scratch rows at the end that nothing
reads (where cars that left the road are put while the map is built).
"""
from __future__ import annotations

import numpy as np

from .config import (BOTTOM_EXIT, CAR_H, CAR_W, CELL, LANE_WIDTH, LANES, N_CARS, PATCHES,
                     TOP_EXIT)

OFF = 12                  # map rows above the screen
BELOW = 11                # map rows below the screen
SCRATCH = OFF + PATCHES + BELOW
NR = SCRATCH + 4          # rows per lane of the map
FOOT = np.arange(4)       # the 4 rows a car covers, from its nose row
LANES_NR = np.arange(LANES) * NR


def rows(y):
    """Map row index (with the offset) of the cell containing y."""
    return ((y + OFF * CELL) * (1.0 / CELL)).astype(np.int64)


def on_road(y):
    """Cars on the road (True) or parked off it, waiting to respawn (False)."""
    return (y >= TOP_EXIT) & (y <= BOTTOM_EXIT)


def second_col(x, lane):
    """The other lane a car's body overlaps (== lane when it covers only its own lane).

    The body spans ``x .. x + CAR_W``; while a car changes lane ``lane`` is the target, so the
    other lane is the one its left or right edge is still in."""
    c1 = np.floor(x * (1.0 / LANE_WIDTH)).astype(np.int64)
    c2 = np.floor((x + (CAR_W - 1e-9)) * (1.0 / LANE_WIDTH)).astype(np.int64)
    return np.clip(np.where(c1 != lane, c1, c2), 0, LANES - 1)


def centre_col(x):
    """The lane under a car's centre."""
    return np.clip(np.floor((x + 0.5 * CAR_W) * (1.0 / LANE_WIDTH)).astype(np.int64), 0, LANES - 1)


def mark(sim, b, n):
    """Mark the cells of cars (b, n) (both lanes if their body spans two)."""
    if b.size == 0:
        return
    r = rows(sim.y[b, n])
    s = (sim.safety[b, n] * sim.gas[b, n])[:, None]
    base = b * (LANES * NR) + r
    sim._mapf[(base + sim.lane[b, n] * NR)[:, None] + FOOT] = s
    sim._mapf[(base + second_col(sim.x[b, n], sim.lane[b, n]) * NR)[:, None] + FOOT] = s


def footprint_counts(sim) -> np.ndarray:
    """(roads, LANES, NR) number of cars covering each map cell."""
    B = sim.n_roads
    r = rows(sim.y)[..., None] + FOOT                                   # (B, N, 4)
    c1 = np.broadcast_to(sim.lane[..., None], r.shape)
    c2 = np.broadcast_to(second_col(sim.x, sim.lane)[..., None], r.shape)
    count = np.zeros((B, LANES, NR), np.int64)
    bb = np.broadcast_to(np.arange(B)[:, None, None], r.shape)
    on = np.broadcast_to(on_road(sim.y)[..., None], r.shape)
    r = np.clip(r, 0, NR - 1)
    np.add.at(count, (bb[on], c1[on], r[on]), 1)
    two = on & (c2 != c1)
    np.add.at(count, (bb[two], c2[two], r[two]), 1)
    return count


def overlapping_bodies(x, y) -> np.ndarray:
    """(roads, N, N) True where the 15 x 34 bodies of two cars on the road overlap by more
    than 1e-9 units both ways (touching is not overlapping, and two cars touching nose to
    tail stay 34 units apart only up to float rounding)."""
    dx = np.abs(x[:, :, None] - x[:, None, :]) < CAR_W - 1e-9
    dy = np.abs(y[:, :, None] - y[:, None, :]) < CAR_H - 1e-9
    on = on_road(y)
    ov = dx & dy & on[:, :, None] & on[:, None, :]
    ov[:, np.arange(N_CARS), np.arange(N_CARS)] = False
    return ov
