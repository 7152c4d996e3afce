"""Pictures of a road (RGB arrays) for notebooks and animations."""
from __future__ import annotations

import numpy as np

from . import roadmap as rm
from .config import CAR_H, CAR_W, CELL, EMPTY, LANE_WIDTH, LANES, N_CARS, PATCHES
from .simulator import TrafficBatch


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
        m = sim.map[road, :, rm.OFF:rm.OFF + PATCHES]
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


