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

Deliberate choices where the game's rules leave room, all so that no two car bodies ever
overlap (the original did not guarantee it):

- the occupancy map also covers the unseen strips above and below the road, so cars that
  leave the screen still see each other; a car that respawns picks a random lane among those
  free at its spawn point (the game did not check); one that finds none is parked off the
  road (``TrafficBatch.on_road()`` is False) and retries every frame;
- a car covers 4 rows on the map in every lane its 15-unit body overlaps and, from the start
  of a lane change, in its target lane; its safety system watches its lane and, during a
  lane change, the lane under its centre (the game's rule); while its body still covers the
  old lane after its centre has left it (the game no longer looked there) it stops if the
  cell right ahead of its nose in that lane is taken;
- a lane change also needs the target lane free from the row ahead of the nose to the row
  of the tail (the game's check reaches about 3.25 rows behind the nose, a car is 3.4 rows
  long), the safety systems of the road are updated at once, and two cars cannot claim the
  same gap in the same frame;
- at the start no other car has its nose in rows 49..67 of the ego's lane (the game cleared
  rows 52..67, which let a car start overlapping the ego's nose); ``start_clearance="game"``
  restores the game's rule.

What holds, as measured (tests/test_deeptraffic.py checks each statement):

- leaderboard medians (:func:`score`, seeds 1..500, 2000 frames): do nothing 52.12, always
  decelerate 45.16, uniform random 60.40 mph, against the original game's 51.6, 44.5 and
  60.3 (500 runs; :data:`ORIGINAL`), so 0.1 to 0.7 mph faster.  The safer start accounts for
  about 0.3 mph: with ``start_clearance="game"`` the medians are 51.85, 44.87 and 60.05 mph;
- no two car bodies (15 x 34 rectangles) on the road ever overlap, at any setting, except
  at the start with ``start_clearance="game"`` (checked every frame over 1.2 million
  road-frames with decisions every frame, ten other agents and random or adversarial lane
  changes; touching to within float rounding, 1e-9 units, does not count);
- the map footprints (4 rows per car) of two cars can share a row when the cars are 34..40
  units apart: :meth:`TrafficBatch.footprints_disjoint` checks cells, not bodies, and is
  not an invariant; :meth:`TrafficBatch.overlapping_cars` checks bodies.

Modules: :mod:`.config` (constants, settings, action check), :mod:`.simulator`
(:class:`TrafficBatch`), :mod:`.roadmap` (the occupancy map), :mod:`.lanechange`,
:mod:`.spawn` (start and respawn), :mod:`.render`, :mod:`.env` (gymnasium),
:mod:`.leaderboard` (:func:`score`, :func:`record`, baseline policies, :data:`ORIGINAL`).
"""
from .config import (ACCELERATE, ACTIONS, BOTTOM_EXIT, BOTTOM_SPAWN, CAR_H, CAR_W, CELL,
                     DECELERATE, EGO_Y, EMPTY, GAS_STEP, LANE_WIDTH, LANES, LATERAL_STEP, LEFT,
                     MAX_GAS, N_CARS, NOOP, PATCHES, RIGHT, START_CLEARANCES, TOP_EXIT,
                     TOP_SPAWN, _check_config, check_actions, check_config, default_config,
                     obs_shape)
from .env import DeepTrafficEnv, register
from .leaderboard import (ORIGINAL, Baselines, decelerate_policy, noop_policy, random_policy,
                          record, score)
from .render import render_road
from .simulator import TrafficBatch

register()

__all__ = ["ACTIONS", "NOOP", "ACCELERATE", "DECELERATE", "LEFT", "RIGHT", "LANES", "PATCHES",
           "CELL", "LANE_WIDTH", "CAR_W", "CAR_H", "N_CARS", "EGO_Y", "TOP_EXIT", "TOP_SPAWN",
           "BOTTOM_EXIT", "BOTTOM_SPAWN", "LATERAL_STEP", "EMPTY", "MAX_GAS", "GAS_STEP",
           "START_CLEARANCES", "default_config", "check_config", "obs_shape", "check_actions",
           "TrafficBatch", "DeepTrafficEnv", "register", "render_road", "score", "record",
           "noop_policy", "decelerate_policy", "random_policy", "Baselines", "ORIGINAL"]
