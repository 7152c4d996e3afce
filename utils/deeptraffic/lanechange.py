"""Lane changes: the game's gap check, the extra clearance that keeps bodies apart, and the
rule that two cars cannot claim the same gap in one frame."""
from __future__ import annotations

import numpy as np

from . import roadmap as rm
from .config import CAR_H, CELL, EMPTY, LANE_WIDTH, LANES, PATCHES

# The game checks the target-lane cells from 3*a cells ahead of the nose to about 3.25 rows
# behind it, less than a car's length (3.4 rows).  Here the target lane must also be free
# from the row ahead of the nose to the row holding the tail: then a car ahead in the target
# lane is >= 40 units nose to nose away and one behind is clear of the tail; the safety
# systems of the road are updated at once, and keep the bodies apart from then on.


def gap_check(sim, bi, ni, d):
    """Which lane changes (road bi, car ni, direction d) find their gap free; also returns
    the target lane and the first and last target-lane rows each one needs."""
    x, y, a, lane = sim.x[bi, ni], sim.y[bi, ni], sim.gas[bi, ni], sim.lane[bi, ni]
    settled = np.abs(x - (LANE_WIDTH * lane + 4.0)) < 0.5
    col = np.floor((x + 7.5) / LANE_WIDTH).astype(np.int64) + d
    inside = (col >= 0) & (col < LANES)
    off = -3.0 * a[:, None] + np.arange(10)
    valid = off < 4.0
    rows = np.floor(y[:, None] / CELL + off).astype(np.int64)
    on_road = (rows >= 0) & (rows < PATCHES)
    r0 = np.floor(y / CELL).astype(np.int64)
    tail = np.floor((y + CAR_H) / CELL).astype(np.int64)
    clear = r0[:, None] - 1 + np.arange(6)
    clear = np.where(clear <= tail[:, None], clear, r0[:, None])  # rows r0 - 1 .. tail
    base = (bi * (LANES * rm.NR))[:, None] + np.clip(col, 0, LANES - 1)[:, None] * rm.NR
    v = sim._mapf[base + np.clip(rows + rm.OFF, 0, rm.NR - 1)]
    near = sim._mapf[base + np.clip(clear + rm.OFF, 0, rm.NR - 1)]
    ok = (settled & inside & np.all(~valid | (on_road & (v >= EMPTY)), axis=1)
          & np.all(near >= EMPTY, axis=1))
    lo = np.minimum(np.where(valid, rows, 10 ** 6).min(1), r0 - 1)
    hi = np.maximum(np.where(valid, rows, -10 ** 6).max(1), tail)
    return ok, col, lo, hi, r0


def first_come(ok, bi, ni, col, lo, hi, r0):
    """Two cars must not claim the same gap in the same frame: among the accepted changes
    into the same lane of a road, in car order, refuse one whose needed rows meet the
    footprint (4 rows from the nose) of a car accepted before it."""
    acc = np.flatnonzero(ok)
    key = bi[acc] * (LANES + 1) + col[acc]
    if np.unique(key).size == key.size:
        return ok
    ok = ok.copy()
    taken = {}
    for j in acc[np.lexsort((ni[acc], bi[acc]))]:
        k = (bi[j], col[j])
        if any(lo[j] <= rb + 3 and rb <= hi[j] for rb in taken.get(k, [])):
            ok[j] = False
        else:
            taken.setdefault(k, []).append(r0[j])
    return ok


def change_lanes(sim, bi, ni, d):
    """Try lane changes (road bi, car ni, direction d = -1 left / +1 right); returns the
    accepted mask.  Refused mid-change, at the road edge, if any target-lane cell from 3*a
    cells ahead of the nose to 3 behind it is occupied or off the road (the game's check),
    if a target-lane cell from the row ahead of the nose to the row of the tail is occupied,
    or if another car claimed the same gap in this frame.  The safety systems of the
    roads where a car changed lane are updated at once (no car drives a frame blind to it)."""
    if bi.size == 0:
        return np.zeros(0, bool)
    ok, col, lo, hi, r0 = gap_check(sim, bi, ni, d)
    if not ok.any():
        return ok
    ok = first_come(ok, bi, ni, col, lo, hi, r0)
    acc = np.flatnonzero(ok)
    b, n = bi[acc], ni[acc]
    sim.lane[b, n] += d[acc]
    sim.changing[b, n] = True
    rm.mark(sim, b, n)
    if acc.size:
        sim._update_safety(np.unique(b))
    return ok
