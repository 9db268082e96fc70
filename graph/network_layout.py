"""Fixed layout for the lineage network: plans as columns, and arrows that go around the measures they skip.

vis-network's hierarchical layout places the nodes itself, so an arrow from a 2016 measure to the 2008
Outline could only be given a fixed bend, and it ran through whatever 2012 and 2009 measures stood in its
way: one asserted link read as a chain through two weak candidates. Here the columns are laid out in Python
(each column ordered by where its neighbours stand, to cross fewer arrows), and every arrow that skips a
column gets the smallest bend, clockwise or not, whose curve keeps clear of every other node. The curve is
the quadratic Bézier vis-network draws for ``smooth: curvedCW / curvedCCW`` with that ``roundness``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

COLUMN_GAP = 260.0  # x between two plans
ROW_GAP = 90.0  # y between two measures of a plan
CLEARANCE = 30.0  # how far an arrow keeps from a node's centre (a node's radius is at most 26)
ROUNDNESS = [r / 20 for r in range(1, 21)]  # 0.05 ... 1.0
LABEL_DROP = 34.0  # from a node's centre to its label's (measure label and year, under the node)
LABEL_CLEARANCE = 22.0  # the label is two short lines: about 40 x 30 px
MARGIN = 45.0  # how far above the top row and below the bottom row a curve may pass unpenalised

Point = tuple[float, float]


def column_positions(columns: Sequence[Sequence[str]], edges: Iterable[tuple[str, str]],
                     focus_column: int) -> dict[str, Point]:
    """x, y of every node of ``columns`` (lists of node ids, left to right). The focus column keeps its order;
    the others, from the focus outward, are ordered by the mean row of their neighbours already placed."""
    neighbours: dict[str, list[str]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    row: dict[str, float] = {}
    order = [focus_column, *range(focus_column - 1, -1, -1), *range(focus_column + 1, len(columns))]
    for c in order:
        ids = list(columns[c])
        if c != focus_column:
            def barycentre(n: str, ids: list[str] = ids) -> float:
                placed = [row[m] for m in neighbours.get(n, []) if m in row]
                return sum(placed) / len(placed) if placed else float(ids.index(n))
            ids.sort(key=barycentre)
        for i, n in enumerate(ids):
            row[n] = i - (len(ids) - 1) / 2
    return {n: (c * COLUMN_GAP, row[n] * ROW_GAP) for c, ids in enumerate(columns) for n in ids}


def route(start: Point, end: Point, obstacles: Iterable[Point]) -> dict[str, Any]:
    """The vis-network ``smooth`` option of an arrow from ``start`` to ``end``: straight when that keeps clear
    of the nodes at ``obstacles`` and their labels; else, of the curves that do, the one that strays least
    beyond the drawing (the view is fitted to the nodes, so a curve far outside them is cut off) and then
    bends least; else the curve that keeps farthest from them."""
    nodes = list(obstacles)
    if slack(_line(start, end), nodes) >= 0:
        return {"enabled": False}
    box = _bounds([*nodes, start, end])
    clear: list[tuple[float, float, dict[str, Any]]] = []
    fallback: tuple[float, dict[str, Any]] | None = None
    for roundness in ROUNDNESS:
        for kind in ("curvedCW", "curvedCCW"):
            smooth = {"enabled": True, "type": kind, "roundness": roundness}
            points = _bezier(start, _via(start, end, kind, roundness), end)
            room = slack(points, nodes)
            if room >= 0:
                clear.append((_overflow(points, box), roundness, smooth))
            elif fallback is None or room > fallback[0]:
                fallback = (room, smooth)
    if clear:
        return min(clear, key=lambda c: c[:2])[2]
    assert fallback is not None
    return fallback[1]


def slack(points: list[Point], nodes: list[Point]) -> float:
    """How much farther than it must an arrow through ``points`` keeps from the ``nodes`` (:data:`CLEARANCE`)
    and their labels (:data:`LABEL_CLEARANCE` from a point :data:`LABEL_DROP` below the node); negative when
    it comes too close."""
    labels = [(x, y + LABEL_DROP) for x, y in nodes]
    return min(_clearance(points, nodes) - CLEARANCE, _clearance(points, labels) - LABEL_CLEARANCE)


def curve(start: Point, end: Point, smooth: dict[str, Any]) -> list[Point]:
    """Points along the arrow vis-network draws from ``start`` to ``end`` with ``smooth``."""
    if not smooth.get("enabled"):
        return _line(start, end)
    return _bezier(start, _via(start, end, smooth["type"], smooth["roundness"]), end)


def extent(points: Iterable[Point], pad: float = 40.0) -> dict[str, float]:
    """Centre and size of what must be in view: the nodes (with their labels, below them) and the arrows.
    vis-network fits its view to the nodes only, and cut off the arrows that bend around them."""
    xs, ys = zip(*points, strict=True)
    left, right, top, bottom = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad + LABEL_DROP
    return {"x": (left + right) / 2, "y": (top + bottom) / 2, "width": right - left, "height": bottom - top}


def _bounds(points: list[Point]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), max(xs), min(ys) - MARGIN, max(ys) + MARGIN


def _overflow(curve: list[Point], box: tuple[float, float, float, float]) -> float:
    """How far ``curve`` reaches above or below ``box`` (its rows, with a margin)."""
    return max(max(box[2] - y, y - box[3], 0.0) for _, y in curve)


def _via(start: Point, end: Point, kind: str, roundness: float) -> Point:
    """vis-network's control point for curvedCW / curvedCCW (BezierEdgeStatic._getViaCoordinates)."""
    dx, dy = end[0] - start[0], start[1] - end[1]
    radius = math.hypot(dx, dy)
    turn = 0.5 * (roundness if kind == "curvedCW" else -roundness) + 0.5
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    reach = (0.5 * roundness + 0.5) * radius
    return start[0] + reach * math.sin(angle), start[1] + reach * math.cos(angle)


def _bezier(a: Point, via: Point, b: Point, steps: int = 48) -> list[Point]:
    return [((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * via[0] + t * t * b[0],
             (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * via[1] + t * t * b[1])
            for t in (i / steps for i in range(steps + 1))]


def _line(a: Point, b: Point, steps: int = 48) -> list[Point]:
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in (i / steps for i in range(steps + 1))]


def _clearance(curve: list[Point], points: list[Point]) -> float:
    return min((math.dist(c, p) for c in curve for p in points), default=math.inf)
