"""The SQL backend's queries, written once and rendered for each engine by sqlglot.

Queries are written in DuckDB's dialect with plain integer arithmetic (bins are right
shifts of non-negative offsets, never an engine time function) and transpiled. Where
sqlglot passes an operator through that the target does not have, a small rewrite of
the parsed tree fills the gap (ClickHouse has no ``>>``: ``bitShiftRight``).
"""

from __future__ import annotations

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


@lru_cache(maxsize=4096)
def render(sql: str, dialect: str) -> str:
    """`sql` (DuckDB's dialect) as `dialect` writes it."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    if dialect == "duckdb":
        return sql
    tree = sqlglot.parse_one(sql, read="duckdb")
    rewrite = _REWRITES.get(dialect)
    if rewrite is not None:
        tree = tree.transform(rewrite)
    return tree.sql(dialect=dialect)


def text(value: str) -> str:
    """A SQL string literal in DuckDB's dialect (quotes doubled, NUL dropped); sqlglot
    writes it as each target needs (Spark escapes with a backslash)."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"
