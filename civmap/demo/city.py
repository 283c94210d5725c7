"""The demo city's ground: outline, districts, streets and road grid.

Everything here is built in metres in the city's UTM zone (EPSG:32649 for the
Guilin-like site) so that distances are ground distances, and converted to WGS-84
only when the generator hands the data to the store. The boundaries are generated
(Voronoi cells of seed points clipped to an irregular outline), not official: see the
README.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Polygon

from geo import random_points_in, voronoi_districts

__all__ = ["CITY_CENTRE", "CITY_CRS", "Ground", "build_ground"]

#: Longitude and latitude of the demo city's centre (WGS-84), a real valley site.
CITY_CENTRE = (110.29, 25.27)
CITY_CRS = "EPSG:32649"


@dataclass(frozen=True)
class Ground:
    outline: Polygon
    districts: list[Polygon]          # one per district, in names.json order
    streets: list[tuple[int, Polygon]]  # (district index, street polygon)
    roads: list[LineString]           # main roads, each a named line
    origin: tuple[float, float]       # the centre in metres


def _outline(rng: np.random.Generator, cx: float, cy: float, radius: float) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, 181)[:-1]
    phase = rng.uniform(0, 2 * np.pi, 3)
    r = radius * (1 + 0.14 * np.sin(3 * theta + phase[0]) + 0.07 * np.sin(5 * theta + phase[1])
                  + 0.04 * np.sin(9 * theta + phase[2]))
    return Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)]))


def _district_seeds(rng: np.random.Generator, cx: float, cy: float, n: int, radius: float) -> np.ndarray:
    """One seed near the centre (the old town) and the rest on a ring around it."""
    angles = np.linspace(0, 2 * np.pi, n - 1, endpoint=False) + rng.uniform(0, 2 * np.pi)
    ring = radius * rng.uniform(0.5, 0.65, n - 1)
    seeds = [(cx + rng.normal(0, 300), cy + rng.normal(0, 300))]
    seeds += list(zip(cx + ring * np.cos(angles), cy + ring * np.sin(angles)))
    return np.array(seeds)


def _roads(rng: np.random.Generator, outline: Polygon, cx: float, cy: float, spacing: float) -> list[LineString]:
    """A slightly rotated, gently curving grid of main roads clipped to the outline."""
    angle = rng.uniform(-0.3, 0.3)
    ux, uy = np.cos(angle), np.sin(angle)
    vx, vy = -uy, ux
    half = outline.length / np.pi  # comfortably beyond the outline
    t = np.linspace(-half, half, 60)
    lines = []
    for direction in (0, 1):
        for offset in np.arange(-half, half, spacing):
            offset = offset + rng.uniform(-0.15, 0.15) * spacing
            wobble = 60 * np.sin(t / rng.uniform(900, 1600) + rng.uniform(0, 6))
            if direction == 0:
                xs = cx + t * ux + (offset + wobble) * vx
                ys = cy + t * uy + (offset + wobble) * vy
            else:
                xs = cx + (offset + wobble) * ux + t * vx
                ys = cy + (offset + wobble) * uy + t * vy
            clipped = LineString(np.column_stack([xs, ys])).intersection(outline)
            for part in getattr(clipped, "geoms", [clipped]):
                if isinstance(part, LineString) and part.length > spacing:
                    lines.append(part)
    return lines


def build_ground(rng: np.random.Generator, origin: tuple[float, float], n_districts: int,
                 streets_per_district: int, radius_m: float = 7500.0) -> Ground:
    """Outline, districts, streets and roads around ``origin`` (metres, UTM)."""
    cx, cy = origin
    outline = _outline(rng, cx, cy, radius_m)
    seeds = _district_seeds(rng, cx, cy, n_districts, radius_m)
    districts = list(voronoi_districts(seeds, outline))
    streets: list[tuple[int, Polygon]] = []
    for index, district in enumerate(districts):
        street_seeds = random_points_in(district, streets_per_district, rng)
        for cell in voronoi_districts(street_seeds, district):
            streets.append((index, cell))
    roads = _roads(rng, outline, cx, cy, spacing=900.0)
    return Ground(outline=outline, districts=districts, streets=streets, roads=roads, origin=origin)
