"""Node positions, computed before the page opens.

In-browser physics takes minutes to settle a few thousand nodes; the page
instead opens with positions computed here and physics off. networkx's own
``spring_layout`` takes about 40 s for 5,000 nodes, so this is a
Fruchterman–Reingold layout that only lets nodes closer than a cutoff repel
each other (the grid variant of the original paper), with the close pairs
found by a k-d tree: about a second for 5,000 nodes.

References
----------
Fruchterman, T. M. J. and Reingold, E. M. (1991). Graph drawing by force-directed
placement. Software: Practice and Experience 21(11), 1129–1164.
https://doi.org/10.1002/spe.4380211102
"""

from __future__ import annotations

from typing import Hashable

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["spring_positions"]

_CUTOFF = 2.0
"""Nodes closer than this (in ideal edge lengths) repel each other exactly."""
_BINS = 64
"""Cells per side of the grid that carries the repulsion of the nodes further away."""
_GRAVITY = 3.0
_MASS = True
"""Pull towards the centre, so that separate components stay in view."""


def spring_positions(G: nx.Graph, *, seed: int = 7, spacing: float = 150.0, weight: str = "weight",
                     iterations: int | None = None) -> dict[Hashable, tuple[float, float]]:
    """Positions of the nodes of ``G``, about ``spacing`` units between linked nodes.

    Parameters
    ----------
    G : networkx.Graph
        Any graph; direction and parallel edges are ignored.
    seed : int, optional (default=7)
        The same seed gives the same positions.
    spacing : float, optional (default=150.0)
        The ideal distance between two linked nodes (pixels on the page).
    weight : str, optional (default="weight")
        Edge attribute that scales the pull of an edge (1 when absent);
        parallel edges add up.
    iterations : int, optional
        Steps of the simulation; by default 300, or 100 above 1,000 nodes.

    Returns
    -------
    dict
        Node -> ``(x, y)``, centred on the origin. Nodes without links are set
        out in rows below the others.

    Examples
    --------
    >>> import networkx as nx
    >>> pos = spring_positions(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2]
    True
    """
    linked = {node for u, v in G.edges() if u != v for node in (u, v)}
    nodes = [node for node in G if node in linked]
    loose = [node for node in G if node not in linked]
    index = {node: i for i, node in enumerate(nodes)}
    pull: dict[tuple[int, int], float] = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u != v:
            key = (min(index[u], index[v]), max(index[u], index[v]))
            pull[key] = pull.get(key, 0.0) + float(w)
    edges = np.array(sorted(pull), dtype=np.int64).reshape(-1, 2)
    strength = np.array([pull[key] for key in sorted(pull)], dtype=float)
    pos = _simulate(len(nodes), edges, strength, seed=seed, iterations=iterations) * spacing
    out = {node: (float(pos[k, 0]), float(pos[k, 1])) for k, node in enumerate(nodes)}
    # nodes without links would drift to the edge of the picture: set them out in rows below it
    if loose:
        if len(pos):
            left, right, bottom = pos[:, 0].min(), pos[:, 0].max(), pos[:, 1].max() + 1.5 * spacing
        else:
            left = bottom = 0.0
            right = spacing * (np.ceil(np.sqrt(len(loose))) - 1)
        columns = max(1, int((right - left) // spacing) + 1)
        for k, node in enumerate(loose):
            out[node] = (float(left + spacing * (k % columns)), float(bottom + spacing * (k // columns)))
    if out:
        cx = (min(x for x, _ in out.values()) + max(x for x, _ in out.values())) / 2
        cy = (min(y for _, y in out.values()) + max(y for _, y in out.values())) / 2
        out = {node: (x - cx, y - cy) for node, (x, y) in out.items()}
    return out


def _simulate(n: int, edges: np.ndarray, strength: np.ndarray, *, seed: int, iterations: int | None) -> np.ndarray:
    """Fruchterman–Reingold positions of ``n`` linked nodes, ideal edge length 1;
    ``edges`` are index pairs, ``strength`` scales each one's pull."""
    if n <= 1:
        return np.zeros((n, 2))
    if iterations is None:
        iterations = 300 if n <= 1000 else 100
    # as in ForceAtlas2, a node repels as much as it has links: hubs get room for their neighbours
    mass = 1.0 + np.bincount(edges.ravel(), minlength=n).astype(float) if _MASS else np.ones(n)
    rng = np.random.default_rng(seed)
    side = np.sqrt(n)
    pos = rng.uniform(-side / 2, side / 2, size=(n, 2))
    start, end = side / 4, 0.02
    for step in range(iterations):
        heat = start + (end - start) * step / max(iterations - 1, 1)
        dx, dy = _repulsion(pos, mass)
        i, j = edges[:, 0], edges[:, 1]
        delta = pos[i] - pos[j]
        dist = np.sqrt((delta ** 2).sum(axis=1))
        pull = dist * strength  # d²/k along the unit vector, k = 1
        fx, fy = delta[:, 0] * pull, delta[:, 1] * pull
        dx += np.bincount(j, fx, n) - np.bincount(i, fx, n)
        dy += np.bincount(j, fy, n) - np.bincount(i, fy, n)
        dx -= _GRAVITY * mass * pos[:, 0]
        dy -= _GRAVITY * mass * pos[:, 1]
        length = np.maximum(np.sqrt(dx ** 2 + dy ** 2), 1e-9)
        scale = np.minimum(length, heat) / length
        pos[:, 0] += dx * scale
        pos[:, 1] += dy * scale
    return pos


def _repulsion(pos: np.ndarray, mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Fruchterman–Reingold repulsion ``k²/d`` on each node (``k = 1``).

    Pairs closer than ``_CUTOFF`` are summed exactly (a k-d tree finds them);
    the rest come from the node counts of a grid, convolved with the force
    kernel by FFT: a particle–mesh approximation, O(n + B² log B) a step.
    """
    n = len(pos)
    dx, dy = np.zeros(n), np.zeros(n)
    close = cKDTree(pos).query_pairs(_CUTOFF, output_type="ndarray")
    if len(close):
        i, j = close[:, 0], close[:, 1]
        delta = pos[i] - pos[j]
        dist2 = np.maximum((delta ** 2).sum(axis=1), 1e-4)
        both = mass[i] * mass[j]
        fx, fy = delta[:, 0] * both / dist2, delta[:, 1] * both / dist2
        dx += np.bincount(i, fx, n) - np.bincount(j, fx, n)
        dy += np.bincount(i, fy, n) - np.bincount(j, fy, n)
    low = pos.min(axis=0)
    extent = float((pos.max(axis=0) - low).max())
    if extent <= _CUTOFF:
        return dx, dy
    cell = extent / (_BINS - 1)
    where = np.minimum(((pos - low) / cell).astype(np.int64), _BINS - 1)
    size = 2 * _BINS  # a circular convolution this size does not wrap offsets in (-_BINS, _BINS)
    counts = np.zeros((size, size))
    np.add.at(counts, (where[:, 0], where[:, 1]), mass)
    offsets = np.fft.fftfreq(size, 1 / size) * cell  # 0, 1, ..., -2, -1 cells
    ox, oy = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = ox ** 2 + oy ** 2
    far = r2 >= _CUTOFF ** 2
    kernel = np.where(far, (ox + 1j * oy) / np.where(far, r2, 1.0), 0.0)
    field = np.fft.ifft2(np.fft.fft2(counts) * np.fft.fft2(kernel))
    force = field[where[:, 0], where[:, 1]]
    dx += force.real * mass
    dy += force.imag * mass
    return dx, dy
