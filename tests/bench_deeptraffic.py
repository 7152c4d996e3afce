"""Benchmark of the DeepTraffic simulator (run by hand, not collected by pytest):

    python tests/bench_deeptraffic.py [--roads 500] [--frames 2000]

Reports frames per second for a single road (the gymnasium env, one decision per 30
frames), for the batched simulator stepping many roads in lockstep (do-nothing policy) and
for the stress setting of the no-overlap test (decisions every frame, ten other agents,
random actions), in wall-clock time and in CPU time of this process (a fairer number on a
busy machine).
Pin it to one core with ``taskset -c 0`` and ``OMP_NUM_THREADS=1``.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

from utils import deeptraffic as dt  # noqa: E402


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def single(frames):
    env = dt.DeepTrafficEnv()
    env.reset(seed=1)
    trunc = False
    while not trunc:
        *_, trunc, _ = env.step(0)


def batched(roads, frames):
    dt.score(dt.noop_policy, runs=roads, frames=frames, batch_size=roads, progress=False)


def stress(roads, frames):
    cfg = {"frames_per_action": 1, "other_agents": 10, "episode_frames": frames}
    rng = np.random.default_rng(1)
    sim = dt.TrafficBatch(cfg)
    obs = sim.reset(list(range(roads)))
    done = False
    while not done:
        obs, _, done, _ = sim.step(rng.integers(0, 5, len(obs)))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--roads", type=int, default=500)
    p.add_argument("--frames", type=int, default=2000)
    p.add_argument("--single-runs", type=int, default=5)
    args = p.parse_args()
    w, c = timed(lambda: [single(args.frames) for _ in range(args.single_runs)])
    n = args.single_runs * 2000
    print(f"single road : {n / w:10.0f} frames/s wall | {n / c:10.0f} frames/s CPU")
    w, c = timed(lambda: batched(args.roads, args.frames))
    n = args.roads * args.frames
    print(f"batched x{args.roads:<4d}: {n / w:10.0f} frames/s wall | {n / c:10.0f} frames/s CPU "
          f"(aggregate over roads)")
    w, c = timed(lambda: stress(args.roads, args.frames))
    print(f"stress x{args.roads:<4d}: {n / w:10.0f} frames/s wall | {n / c:10.0f} frames/s CPU "
          f"(every frame a decision, 11 controlled cars per road)")


if __name__ == "__main__":
    main()
