"""The SQL backend's queries, written once and rendered for each engine by sqlglot.

Queries are written in DuckDB's dialect with plain integer arithmetic (bins are right
shifts of non-negative offsets, never an engine time function) and transpiled. Where
sqlglot passes an operator through that the target does not have, a small rewrite of
the parsed tree fills the gap (ClickHouse has no ``>>``: ``bitShiftRight``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import sqlglot
from sqlglot import exp

DIALECTS: Final = ("duckdb", "postgres", "spark", "clickhouse", "trino")


def _clickhouse(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.BitwiseRightShift):
        return exp.Anonymous(this="bitShiftRight", expressions=[node.this, node.expression])
    return node


_REWRITES = {"clickhouse": _clickhouse}


# Long lists of integers (text-search hits, lanes, themes: up to thousands of codes)
# read the same in every dialect: they are taken out before sqlglot parses the query
# and put back after, so a search does not pay to parse and write 5,000 literals, and
# one rendering serves every list of the same query.
_INT_LIST = re.compile(r"\bIN \((-?\d+(?:, ?-?\d+){7,})\)")
_HOLE = re.compile(r"[`\"]?__te_list_(\d+)__[`\"]?")
_LITERAL = re.compile(r"('(?:[^']|'')*')")


def render(sql: str, dialect: str) -> str:
    """`sql` (DuckDB's dialect) as `dialect` writes it."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    if dialect == "duckdb":
        return sql
    lists: list[str] = []

    def hole(match: re.Match[str]) -> str:
        lists.append(match.group(1))
        return f"IN (__te_list_{len(lists) - 1}__)"

    # Only outside string literals (a search for "IN (1, 2, ...)" stays as typed).
    parts = _LITERAL.split(sql)
    parts[::2] = [_INT_LIST.sub(hole, p) for p in parts[::2]]
    out = _render("".join(parts), dialect)
    if not lists:
        return out
    back = _HOLE.sub(lambda m: lists[int(m.group(1))], out)
    if len(_HOLE.findall(out)) != len(lists):  # sqlglot moved a hole: no shortcut
        return _render(sql, dialect)
    return back


@lru_cache(maxsize=1024)
def _render(sql: str, dialect: str) -> str:
    tree = sqlglot.parse_one(sql, read="duckdb")
    rewrite = _REWRITES.get(dialect)
    if rewrite is not None:
        tree = tree.transform(rewrite)
    return tree.sql(dialect=dialect)


def text(value: str) -> str:
    """A SQL string literal in DuckDB's dialect (quotes doubled, NUL dropped); sqlglot
    writes it as each target needs (Spark escapes with a backslash)."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"
