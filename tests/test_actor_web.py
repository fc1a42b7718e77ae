"""The web of actors on the embedded story, driven from the keyboard as a user would."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QImage

from explorer.model.dates import parse_date
from explorer.model.store import Filter
from explorer.ui.actor_web import ActorWeb, pack


def _web(window) -> ActorWeb:
    window.actions_by_id["view.web"].trigger()
    web = window.word.web
    assert web.isVisible()
    assert web.hasFocus()
    return web


def _edges(web: ActorWeb) -> dict[tuple[str, str], list[tuple[str, str, int]]]:
    return {
        (web.names[a], web.names[b]): [(r.role_a, r.role_b, r.events) for r in roles]
        for a, b, roles in zip(
            web.pairs.a.tolist(), web.pairs.b.tolist(), web.pairs.roles, strict=True
        )
    }


def test_the_story_web_has_its_actors_and_the_accusation(window) -> None:
    web = _web(window)
    names = {web.names[r] for r in web.nodes.tolist()}
    assert names == {
        "US Government",
        "Anthropic",
        "Glasswing Ventures",
        "China",
        "Alibaba",
        "DeepSeek",
        "Huawei",
        "Bloomberg",
    }
    edges = _edges(web)
    assert edges[("Anthropic", "Alibaba")] == [("accuser", "accused", 1)]
    assert edges[("DeepSeek", "Huawei")] == [("launcher", "manufacturer", 1)]
    assert edges[("China", "DeepSeek")] == [("home state", "launcher", 1)]
    assert len(edges) == 9  # the accusation's four actors (6) + the launch's three (3)
    assert "US Government" not in {n for pair in edges for n in pair}
    assert web.summary() == "8 actors · 9 pairs share events"


def test_the_web_grows_as_the_story_becomes_known(window) -> None:
    window.state.set_filter(Filter(known_by=0))
    assert window.word.web._stale  # tabbed behind the event detail: no question asked yet
    web = _web(window)
    assert len(web.nodes) == 0
    before = parse_date("2026-06-23").end - 1
    window.state.set_filter(Filter(known_by=before))
    assert len(web.pairs) == 0
    assert len(web.nodes) == 0
    positions = dict(web.positions)
    window.state.set_filter(Filter(known_by=parse_date("2026-06-24").end - 1))
    assert ("Anthropic", "Alibaba") in _edges(web)
    assert len(web.pairs) == 6  # Bloomberg's report: the accusation's four actors
    # Undated sources are kept on request: the rest of the web joins it, in place.
    window.state.set_filter(replace(window.state.filter, known_undated=True))
    assert len(web.pairs) == 9
    assert web.positions == positions  # nodes never jump when the filter changes


def test_arrows_move_between_actors_and_enter_selects_one(qtbot, window) -> None:
    web = _web(window)
    qtbot.keyClick(web, Qt.Key.Key_Home)
    assert web.current is not None
    assert web.current[0] == "node"
    xy = web.node_xy()
    visited = {web.current[1]}
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up) * 3:
        here = web.current[1]
        at = xy[int(np.searchsorted(web.nodes, here))]
        qtbot.keyClick(web, key)
        there = xy[int(np.searchsorted(web.nodes, web.current[1]))]
        if web.current[1] != here:  # it moved the way the arrow points
            d = there - at
            axis, sign = {
                Qt.Key.Key_Right: (0, 1),
                Qt.Key.Key_Left: (0, -1),
                Qt.Key.Key_Down: (1, 1),
                Qt.Key.Key_Up: (1, -1),
            }[key]
            assert d[axis] * sign > 0
        visited.add(web.current[1])
    assert len(visited) >= 3
    anthropic = web.ids.index("anthropic")
    web.set_current(("node", anthropic))
    assert "Anthropic: 2 events" in web.accessibleDescription()
    qtbot.keyClick(web, Qt.Key.Key_Return)
    assert window.actor_panel.current_actor() == "anthropic"  # as the actor panel does
    assert web.hasFocus()


def test_space_walks_the_links_and_enter_filters_to_a_pair(qtbot, window) -> None:
    web = _web(window)
    web.set_current(("node", web.ids.index("alibaba")))
    seen = []
    for _ in range(3):
        qtbot.keyClick(web, Qt.Key.Key_Space)
        assert web.current is not None
        assert web.current[0] == "edge"
        seen.append(web.current[1])
        if {web.ids[int(web.pairs.a[seen[-1]])], web.ids[int(web.pairs.b[seen[-1]])]} == {
            "anthropic",
            "alibaba",
        }:
            break
    assert (
        "Anthropic and Alibaba: 1 shared event (accuser → accused)" in web.accessibleDescription()
    )
    qtbot.keyClick(web, Qt.Key.Key_Return)
    assert window.state.filter.together == frozenset({"anthropic", "alibaba"})
    assert window.state.queries.event_count(window.state.filter) == 1
    assert any("Together: " in t for t in window.search.chip_texts())
    qtbot.keyClick(web, Qt.Key.Key_Escape)
    assert window.timeline.hasFocus()


def test_clicks_select_nodes_and_edges(qtbot, window) -> None:
    web = _web(window)
    xy = web.node_xy()
    china = web.ids.index("china")
    x, y = xy[int(np.searchsorted(web.nodes, china))]
    qtbot.mouseClick(web, Qt.MouseButton.LeftButton, pos=QPointF(x, y).toPoint())
    assert window.actor_panel.current_actor() == "china"
    a, b = web.ids.index("deepseek"), web.ids.index("huawei")
    pa, pb = xy[int(np.searchsorted(web.nodes, a))], xy[int(np.searchsorted(web.nodes, b))]
    middle = (pa + pb) / 2
    assert web.edge_at(QPointF(*middle)) >= 0
    qtbot.mouseClick(web, Qt.MouseButton.LeftButton, pos=QPointF(*middle).toPoint())
    assert window.state.filter.together == frozenset({"deepseek", "huawei"})


def test_the_web_exports_as_png_and_svg(window, tmp_path: Path) -> None:
    web = _web(window)
    web.export(tmp_path / "web.png", QSize(800, 600))
    image = QImage(str(tmp_path / "web.png"))
    assert (image.width(), image.height()) == (800, 600)
    web.export(tmp_path / "web.svg", QSize(800, 600))
    svg = (tmp_path / "web.svg").read_text("utf-8")
    assert "<svg" in svg
    assert "Anthropic" in svg
    assert "accuser" in svg


def test_layout_is_seeded_and_keeps_lone_actors_apart() -> None:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(6))
    graph.add_edges_from([(0, 1), (1, 2), (3, 4)])
    first, again = pack(graph, {}), pack(graph, {})
    assert first == again  # seeded: the same document lays out the same way
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in first.values())
    assert first[5][1] > max(first[r][1] for r in range(5))  # the lone actor: below
    moved = pack(graph, first)
    assert max(abs(moved[r][0] - first[r][0]) for r in range(6)) < 0.2  # relaxes in place
