"""Who aligns with whom: agreement and disagreement from stances on the same topics."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

__all__ = ["alignment_graph", "alignment_matrix"]


def alignment_graph(P: nx.DiGraph, *, min_shared: int = 1) -> nx.Graph:
    """Return the signed graph of agreement between actors.

    Two actors *agree* on a pair of topics that share at least `min_shared`
    content words when they take the same stance on them, and *disagree* when
    they take opposite stances ("Russia supports a ceasefire along the front
    line" and "Ukraine opposes a ceasefire that would freeze the front line").
    Every such pair of an actor's topic and the other's counts once.

    Parameters
    ----------
    P : networkx.DiGraph
        From :func:`kg.analysis.position_graph`: actors point to topic nodes
        with a ``words`` attribute; edges carry ``sign`` (+1 supports, -1
        opposes, 0 mixed, which is skipped).
    min_shared : int, optional (default=1)
        Fewest content words two topics must share to be the same topic.

    Returns
    -------
    networkx.Graph
        An edge between every two actors that took a stance on the same topic,
        with ``agree`` and ``disagree`` (counts), ``weight`` (agree - disagree),
        ``sign`` (+1, -1, or 0 when balanced), ``score`` (weight / comparisons,
        from -1 to 1) and ``topics`` (the topics compared, ``"; "``-joined).

    Examples
    --------
    >>> P = nx.DiGraph()
    >>> P.add_node("t1", type="Topic", words="cease front", name="ceasefire along the front")
    >>> P.add_node("t2", type="Topic", words="cease freez", name="ceasefire that would freeze")
    >>> P.add_edges_from([("Russia", "t1", {"sign": 1}), ("Belarus", "t1", {"sign": 1}),
    ...                   ("Ukraine", "t2", {"sign": -1})])
    >>> A = alignment_graph(P)
    >>> A.edges["Russia", "Belarus"]["sign"], A.edges["Russia", "Ukraine"]["sign"]
    (1, -1)
    """
    if min_shared < 1:
        raise ValueError(f"min_shared must be at least 1, got {min_shared}")
    words = {n: frozenset(d.get("words", "").split()) for n, d in P.nodes(data=True) if d.get("type") == "Topic"}
    holders: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for actor, topic, sign in P.edges(data="sign", default=0):
        if sign and topic in words:
            holders[topic].append((actor, sign))
    by_word: dict[str, set[str]] = defaultdict(set)
    for topic, found in words.items():
        for word in found:
            by_word[word].add(topic)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    topics: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t1 in sorted(holders):
        candidates = {t1} | {t for word in words[t1] for t in by_word[word]}
        for t2 in sorted(candidates):
            if t2 not in holders or (t2 != t1 and len(words[t1] & words[t2]) < min_shared):
                continue
            for a, s1 in holders[t1]:
                for b, s2 in holders[t2]:
                    if a >= b:
                        continue
                    counts[(a, b)][0 if s1 == s2 else 1] += 1
                    topics[(a, b)].update((P.nodes[t1].get("name", t1), P.nodes[t2].get("name", t2)))
    A = nx.Graph(projection="alignment")
    for actor in sorted({a for found in holders.values() for a, _ in found}):
        A.add_node(actor, **P.nodes[actor])
    for (a, b), (agree, disagree) in sorted(counts.items()):
        weight = agree - disagree
        A.add_edge(a, b, agree=agree, disagree=disagree, weight=weight, sign=(weight > 0) - (weight < 0),
                   score=weight / (agree + disagree), topics="; ".join(sorted(topics[(a, b)])))
    return A


def alignment_matrix(A: nx.Graph, *, label: str = "name"):
    """Return the alignment scores as a square pandas DataFrame.

    Parameters
    ----------
    A : networkx.Graph
        From :func:`alignment_graph`.
    label : str, optional (default="name")
        Node attribute used for the row and column labels (IRIs when absent;
        labels that two nodes share are followed by the IRI).

    Returns
    -------
    pandas.DataFrame
        ``score`` of each pair, from -1 (always opposite) to 1 (always the
        same); 1.0 on the diagonal; NaN where two actors never took a stance
        on the same topic.

    Examples
    --------
    >>> A = nx.Graph([("Russia", "Belarus", {"score": 1.0}), ("Russia", "Ukraine", {"score": -1.0})])
    >>> print(alignment_matrix(A).loc["Belarus", "Ukraine"], alignment_matrix(A).loc["Ukraine", "Russia"])
    nan -1.0
    """
    import numpy as np
    import pandas as pd

    nodes = sorted(A, key=lambda n: (str(A.nodes[n].get(label, n)), n))
    names = [str(A.nodes[n].get(label, n)) for n in nodes]
    labels = [f"{name} <{n}>" if names.count(name) > 1 else name for name, n in zip(names, nodes)]
    matrix = np.full((len(nodes), len(nodes)), np.nan)
    index = {n: i for i, n in enumerate(nodes)}
    for i in range(len(nodes)):
        matrix[i, i] = 1.0
    for u, v, score in A.edges(data="score"):
        matrix[index[u], index[v]] = matrix[index[v], index[u]] = score
    frame = pd.DataFrame(matrix, index=labels, columns=labels)
    frame.index.name = "actor"
    return frame
