"""Where cars start and where they reappear after leaving the screen."""
from __future__ import annotations

import numpy as np

from . import roadmap as rm
from .config import (BOTTOM_EXIT, BOTTOM_SPAWN, EMPTY, LANE_WIDTH, LANES, N_CARS, PATCHES,
                     TOP_EXIT, TOP_SPAWN)

EGO_LANE, EGO_ROW = 3, 52
PARK_TOP, PARK_BOTTOM = TOP_EXIT - 1000.0, BOTTOM_EXIT + 1000.0  # off the road, off the map


def start_positions(place, clearance="safe"):
    """Lanes and nose rows, (B, 20) each, of the cars at the start, from uniforms ``place``
    (B, 20): the ego in lane 3, row 52; each other car uniformly among the cells still legal,
    placed one after the other (batched over roads).  A car keeps rows -4..+11 around its
    nose clear of the noses of the cars placed after it.  The game clears rows 52..67 of the
    ego's lane (``clearance="game"``), which lets a car start with its nose in rows 49..51,
    overlapping the ego's nose at y = 525; ``"safe"`` clears rows 49..67."""
    B = len(place)
    lane = np.zeros((B, N_CARS), np.int64)
    row = np.zeros((B, N_CARS), np.int64)
    lane[:, 0], row[:, 0] = EGO_LANE, EGO_ROW
    legal = np.ones((B, LANES, PATCHES), bool)
    cells = np.arange(PATCHES)

    def exclude(ln, center):  # rows center-4 .. center+11 of lane ln stay clear
        block = ((cells[None, :] >= center[:, None] - 4)
                 & (cells[None, :] <= center[:, None] + 11))
        legal[np.arange(B), ln] &= ~block

    exclude(lane[:, 0], row[:, 0] + 4)          # the game's rule: rows 52..67
    if clearance == "safe":
        exclude(lane[:, 0], row[:, 0] + 1)      # rows 49..64 too
    for n in range(1, N_CARS):  # sequential over the 19 placements, batched over roads
        flat = legal.reshape(B, -1)
        count = flat.sum(1)
        k = np.minimum((place[:, n] * count).astype(np.int64), count - 1)
        idx = np.argmax(np.cumsum(flat, 1) > k[:, None], axis=1)
        lane[:, n], row[:, n] = idx // PATCHES, idx % PATCHES
        exclude(lane[:, n], row[:, n])
    return lane, row


def _pick_lanes(sim, bi, from_top, idx, u):
    """A random lane free at the spawn point for each car (-1 if none), reserving the
    picked cells when two cars of a road spawn at the same spot in the same frame."""
    free = (sim._mapf[idx] >= EMPTY).all(-1)                      # (K, 7)
    nfree = free.sum(1)
    k = np.minimum((u * nfree).astype(np.int64), np.maximum(nfree - 1, 0))
    pick = np.argmax(np.cumsum(free, 1) > k[:, None], axis=1)
    lane = np.where(nfree > 0, pick, -1)
    key = bi * 2 + from_top
    if np.unique(key).size < key.size:  # two spawns at the same spot of a road: one by one
        _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        for j in np.flatnonzero(cnt[inv] > 1):
            opts = np.flatnonzero((sim._mapf[idx[j]] >= EMPTY).all(-1))
            lane[j] = opts[min(int(u[j] * opts.size), opts.size - 1)] if opts.size else -1
            if lane[j] >= 0:
                sim._mapf[idx[j, lane[j]]] = 0.0  # reserved (overwritten by the marking)
    return lane


def respawn(sim, out, u):
    """Cars that left the top reappear below the screen and vice versa, in a random lane
    free at the spawn point (new random gas for the uncontrolled ones).

    A car with no free lane is parked off the road (at ``PARK_TOP`` or ``PARK_BOTTOM``, on
    the side it left by, off the map: nothing sees it and it sees nothing) and retries every
    frame.  Returns the change, per road, of the number of other cars behind the ego's nose."""
    bi, ni = np.nonzero(out)
    from_top = sim.y[bi, ni] < TOP_EXIT
    new_y = np.where(from_top, TOP_SPAWN, BOTTOM_SPAWN)
    idx = ((bi * (LANES * rm.NR) + rm.rows(new_y))[:, None, None]
           + rm.LANES_NR[None, :, None] + rm.FOOT[None, None, :])
    lane = _pick_lanes(sim, bi, from_top, idx, u[bi, ni, 1])
    ok = lane >= 0
    sim.y[bi[~ok], ni[~ok]] = np.where(from_top[~ok], PARK_TOP, PARK_BOTTOM)
    b, n = bi[ok], ni[ok]
    sim.lane[b, n] = lane[ok]
    sim.x[b, n] = LANE_WIDTH * lane[ok] + 4.0
    sim.changing[b, n] = False
    sim.y[b, n] = new_y[ok]
    npc = n >= sim.n_controlled
    sim.gas[b[npc], n[npc]] = 1.0 + 0.35 * u[b[npc], n[npc], 2]
    rm.mark(sim, b, n)
    delta = np.zeros(sim.n_roads, np.int64)
    others = n > 0
    np.add.at(delta, b[others], np.where(from_top[ok][others], 1, -1))
    return delta

