"""How the map's colours look to colour-blind viewers, and how far apart they are.

About one man in twelve in China sees red and green poorly. The city map's colours are
checked here rather than by eye: each colour is passed through the colour-vision
deficiency simulation of Machado, Oliveira and Fernandes (2009, IEEE TVCG 15(6),
"A physiologically-based model for simulation of color vision deficiency"; the
severity-1.0 matrices for protanopia, deuteranopia and tritanopia, applied to linear
sRGB), and pairs are compared by the CIEDE2000 colour difference (Sharma, Wu and Dalal
2005's formulation). A ΔE00 of about 2 is a just-noticeable difference for large
patches; small map marks need far more to be told apart at a glance.
"""

from __future__ import annotations

import math
import re
from itertools import combinations
from typing import Iterable, Mapping, NamedTuple

__all__ = ["VISIONS", "simulate", "delta_e", "delta_e_lab", "Clash", "layer_clashes", "cross_layer_clashes"]

#: Vision → the 3×3 matrix on linear sRGB (None: normal vision).
VISIONS: dict[str, tuple[tuple[float, ...], ...] | None] = {
    "normal": None,
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _rgb(color: str) -> tuple[float, float, float]:
    text = color.strip()
    if not _HEX.fullmatch(text):
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    text = text[1:]
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return tuple(int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(color: str, vision: str) -> str:
    """``color`` (#rrggbb) as a viewer with ``vision`` (a key of :data:`VISIONS`) sees it."""
    matrix = VISIONS[vision]
    if matrix is None:
        return "#" + "".join(f"{round(c * 255):02x}" for c in _rgb(color))
    lin = [_linear(c) for c in _rgb(color)]
    out = [sum(m * v for m, v in zip(row, lin)) for row in matrix]
    return "#" + "".join(f"{round(_gamma(c) * 255):02x}" for c in out)


def _lab(color: str) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in _rgb(color))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIEDE2000 difference between two #rrggbb colours (D65, kL = kC = kH = 1)."""
    return delta_e_lab(_lab(a), _lab(b))


def delta_e_lab(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 difference between two CIELAB colours (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_mean7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(c_mean7 / (c_mean7 + 25 ** 7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lp, cp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    else:
        hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp - 30)) + 0.24 * math.cos(math.radians(2 * hp))
         + 0.32 * math.cos(math.radians(3 * hp + 6)) - 0.20 * math.cos(math.radians(4 * hp - 63)))
    sl = 1 + 0.015 * (lp - 50) ** 2 / math.sqrt(20 + (lp - 50) ** 2)
    sc, sh = 1 + 0.045 * cp, 1 + 0.015 * cp * t
    rt = (-2 * math.sqrt(cp ** 7 / (cp ** 7 + 25 ** 7))
          * math.sin(math.radians(60 * math.exp(-(((hp - 275) / 25) ** 2)))))
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


class Clash(NamedTuple):
    """Two colours closer than allowed: where (layers), which codes, for whom, how far apart."""

    layers: tuple[str, str]
    codes: tuple[str, str]
    vision: str
    delta: float


def layer_clashes(layer: str, colors: Mapping[str, str], threshold: float,
                  visions: Iterable[str] = tuple(VISIONS)) -> list[Clash]:
    """Pairs of classes in one layer that a viewer with any of ``visions`` could confuse."""
    out = []
    for (c1, k1), (c2, k2) in combinations(colors.items(), 2):
        for vision in visions:
            delta = delta_e(simulate(k1, vision), simulate(k2, vision))
            if delta < threshold:
                out.append(Clash((layer, layer), (c1, c2), vision, round(delta, 1)))
    return out


def cross_layer_clashes(layers: Mapping[str, Mapping[str, str]], threshold: float) -> list[Clash]:
    """Pairs of colours in different layers that look alike to normal vision: one colour
    would then mean two things. (Across layers the mark's shape tells them apart for a
    colour-blind viewer too: a dot, a ring, a line.)"""
    out = []
    for (l1, c1), (l2, c2) in combinations(layers.items(), 2):
        for code1, k1 in c1.items():
            for code2, k2 in c2.items():
                delta = delta_e(k1, k2)
                if delta < threshold:
                    out.append(Clash((l1, l2), (code1, code2), "normal", round(delta, 1)))
    return out
