"""Local optima, plateaus and the neighbourhood graph against networkx.

The graph is built with networkx from explicit neighbour lists (or, for full grids, as the
Cartesian product of path graphs for ordinal and complete graphs for categorical/boolean
hyperparameters), and plateaus/optima are found with networkx's own component and boundary
routines.
"""

from __future__ import annotations

import functools
import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lossatlas.analysis._graph import adjacency_matrix
from lossatlas.analysis._optima import (
    distances_to_global,
    local_optima,
    plateaus,
    strict_local_optima,
)
from lossatlas.landscape import Landscape
from lossatlas.space import Hyperparameter, SearchSpace

from . import bruteforce
from .conftest import ORACLE_SETTINGS, epsilons, landscapes, search_spaces


def networkx_graph(landscape: Landscape) -> nx.Graph:
    """Nodes = rows, with the loss as attribute; edges from explicit neighbour lists."""
    graph = nx.Graph()
    for row, value in enumerate(landscape.loss("test").tolist()):
        graph.add_node(row, loss=value)
    for row, targets in enumerate(bruteforce.neighbours(landscape.space, landscape.index.tolist())):
        graph.add_edges_from((row, t) for t in targets)
    return graph


def networkx_plateaus(graph: nx.Graph, epsilon: float) -> list[set[int]]:
    loss = nx.get_node_attributes(graph, "loss")
    neutral = nx.subgraph_view(graph, filter_edge=lambda u, v: abs(loss[u] - loss[v]) <= epsilon)
    return [set(c) for c in nx.connected_components(neutral)]


def networkx_optimum_plateaus(graph: nx.Graph, epsilon: float) -> list[set[int]]:
    loss = nx.get_node_attributes(graph, "loss")
    found = []
    for block in networkx_plateaus(graph, epsilon):
        best = min(loss[r] for r in block)
        boundary = nx.node_boundary(graph, block)
        if all(loss[j] >= best - epsilon for j in boundary):
            found.append(block)
    return found


def as_partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for row, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(row)
    return {frozenset(g) for g in groups.values()}


@ORACLE_SETTINGS
@given(landscapes(), epsilons)
def test_plateaus_and_local_optima_match_networkx(landscape, epsilon):
    graph = networkx_graph(landscape)
    fast_adjacency = nx.from_scipy_sparse_array(adjacency_matrix(landscape))
    fast_adjacency.add_nodes_from(range(landscape.n))
    assert nx.utils.graphs_equal(nx.Graph(fast_adjacency.edges), nx.Graph(graph.edges))

    expected = {frozenset(c) for c in networkx_plateaus(graph, epsilon)}
    assert as_partition(plateaus(landscape, epsilon=epsilon)) == expected

    optima = local_optima(landscape, epsilon=epsilon)
    labels = np.asarray(optima.plateau)
    fast_blocks = {
        frozenset(np.flatnonzero(labels == label).tolist())
        for label in np.asarray(optima.optimum_plateaus).tolist()
    }
    assert fast_blocks == {frozenset(b) for b in networkx_optimum_plateaus(graph, epsilon)}


@ORACLE_SETTINGS
@given(landscapes())
def test_strict_optima_match_networkx(landscape):
    graph = networkx_graph(landscape)
    loss = nx.get_node_attributes(graph, "loss")
    strict = [u for u in graph if all(loss[u] < loss[v] for v in graph[u])]
    weak = [u for u in graph if all(loss[u] <= loss[v] for v in graph[u])]
    assert sorted(np.asarray(strict_local_optima(landscape)).tolist()) == sorted(strict)
    assert sorted(np.asarray(strict_local_optima(landscape, strict=False)).tolist()) == sorted(weak)


def product_graph(space: SearchSpace) -> nx.Graph:
    """The full grid's neighbourhood graph as a Cartesian product, nodes relabelled to flat."""
    factors = [
        nx.path_graph(hp.size) if hp.kind == "ordinal" else nx.complete_graph(hp.size)
        for hp in space.hyperparameters
    ]
    product = functools.reduce(nx.cartesian_product, factors)

    def flatten(node):
        if len(factors) == 1:
            return (node,)
        out: tuple = ()
        for _ in range(len(factors) - 1):
            node, last = node
            out = (last, *out)
        return (node, *out)

    mapping = {node: int(np.ravel_multi_index(flatten(node), space.radices)) for node in product}
    return nx.relabel_nodes(product, mapping)


@settings(ORACLE_SETTINGS, max_examples=40)
@given(search_spaces())
def test_full_grid_graph_is_the_cartesian_product(space):
    expected = product_graph(space)
    assert expected.number_of_nodes() == space.size
    landscape = Landscape.from_array(space, np.zeros(space.size))
    fast = nx.from_scipy_sparse_array(adjacency_matrix(landscape))
    fast.add_nodes_from(range(space.size))
    assert nx.utils.graphs_equal(nx.Graph(fast.edges), nx.Graph(expected.edges))
    assert sorted(fast.nodes) == sorted(expected.nodes)
    # and the oracle's neighbour lists are the same graph
    oracle_graph = networkx_graph(landscape)
    assert set(map(frozenset, oracle_graph.edges)) == set(map(frozenset, expected.edges))


@settings(ORACLE_SETTINGS, max_examples=30)
@given(search_spaces(max_hps=3), st.data())
def test_grid_distance_is_the_shortest_path_on_a_full_grid(space, data):
    graph = product_graph(space)
    target = data.draw(st.integers(0, space.size - 1))
    loss = np.ones(space.size)
    loss[target] = 0.0
    landscape = Landscape.from_array(space, loss)
    lengths = nx.single_source_shortest_path_length(graph, target)
    assert np.asarray(distances_to_global(landscape)).tolist() == [
        lengths[i] for i in range(space.size)
    ]


@pytest.mark.parametrize(
    "kinds",
    list(itertools.product(["ordinal", "categorical"], repeat=2)),
)
def test_three_by_three_products(kinds):
    space = SearchSpace([Hyperparameter(f"h{j}", (1, 2, 3), k) for j, k in enumerate(kinds)])
    landscape = Landscape.from_array(space, np.arange(9.0))
    degrees = np.asarray(adjacency_matrix(landscape).sum(axis=1)).ravel().tolist()
    # path of 3: degrees 1,2,1; triangle: 2,2,2; the product adds them up
    per = {"ordinal": [1, 2, 1], "categorical": [2, 2, 2]}
    expected = [per[kinds[0]][a] + per[kinds[1]][b] for a in range(3) for b in range(3)]
    assert degrees == expected
    assert nx.utils.graphs_equal(
        nx.Graph(nx.from_scipy_sparse_array(adjacency_matrix(landscape)).edges),
        nx.Graph(product_graph(space).edges),
    )
