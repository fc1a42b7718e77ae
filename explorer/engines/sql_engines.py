"""Connections to SQL engines, each answering rendered SQL as Arrow.

One small class per engine: it runs a query and hands back a ``pyarrow.Table``, and
bulk-loads an Arrow table. Which driver, and whether Arrow all the way:

- ``duckdb:///path/file.duckdb``: duckdb in process (Arrow).
- ``postgresql://user@host:5432/db``: ADBC's libpq driver (Arrow; loading is COPY).
- ``sc://host:15002``: Spark Connect (Arrow batches over gRPC); ``spark:local`` a
  local in-process session (Arrow through ``toArrow``).
- ``clickhouse://host:8123/db``: clickhouse-connect over HTTP (Arrow format);
  ``chdb:///path/folder``: the embedded ClickHouse engine chdb (Arrow).
- ``trino://``: the queries render for Trino (tests/test_sql_render.py), but no driver
  is wired: connecting says so.

A refused connection, a bad URL or a missing driver raise `EngineError` with one line
for the user; passwords never appear in it (`redact`).
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from typing import Any, Final
from urllib.parse import unquote, urlsplit, urlunsplit

import pyarrow as pa

from explorer.engines.sql_render import render

SPARK_SLICE: Final = 200_000  # rows a Spark Connect load sends at once
NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


class EngineError(Exception):
    """A connection or a query failed; the message is one line, without secrets."""


_SECRET_PARAM = re.compile(r"(?i)((?:password|passwd|pwd|token|secret|api_key)=)[^&;/]*")


def redact(url: str) -> str:
    """`url` without its secrets (for messages and logs): the password of the netloc and
    any password/token parameter (``?password=``, Spark Connect's ``;token=``)."""
    url = _SECRET_PARAM.sub(r"\1***", url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def needs_password(url: str) -> bool:
    """A server URL with a user and no password (the command line then asks)."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("postgresql", "postgres", "clickhouse")
        and parts.username is not None
        and parts.password is None
    )


def check_name(table: str) -> str:
    if not NAME.fullmatch(table):
        raise EngineError(
            f"{table!r} is not a table name (letters, digits and _, optionally schema.name)"
        )
    return table


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")


class Engine(ABC):
    """One connection; `arrow` and `execute` take DuckDB-dialect SQL and render it."""

    dialect: str = "duckdb"
    url: str = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last_ms = 0.0  # time of the last query in the engine and driver (the bench)
        self.total_ms = 0.0
        self.queries = 0

    def arrow(self, sql: str) -> pa.Table:
        import time

        rendered = render(sql, self.dialect)
        began = time.perf_counter()
        with self._lock:
            try:
                out = self._arrow(rendered)
            except EngineError:
                raise
            except Exception as exc:
                raise EngineError(f"{redact(self.url)}: {_one_line(exc)}") from None
        self.last_ms = (time.perf_counter() - began) * 1000
        self.total_ms += self.last_ms
        self.queries += 1
        return out

    def execute(self, sql: str, render_it: bool = True) -> None:
        with self._lock:
            try:
                self._execute(render(sql, self.dialect) if render_it else sql)
            except Exception as exc:
                raise EngineError(f"{redact(self.url)}: {_one_line(exc)}") from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        table = self.arrow(sql)
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        return list(zip(*columns, strict=True)) if columns else []

    def has_table(self, name: str) -> bool:
        try:
            self.arrow(f"SELECT 1 AS x FROM {name} LIMIT 1")
        except EngineError:
            return False
        return True

    @abstractmethod
    def _arrow(self, sql: str) -> pa.Table: ...

    @abstractmethod
    def _execute(self, sql: str) -> None: ...

    @abstractmethod
    def load(self, name: str, table: pa.Table, order: str) -> None:
        """Create table `name` (replacing it) holding `table`, sorted by `order`."""

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        return None


# --- DDL ------------------------------------------------------------------------------


def column_type(dtype: pa.DataType, dialect: str) -> str:
    """The engine's column type for an Arrow type (the few the backend's tables use)."""
    if pa.types.is_boolean(dtype):
        return {"clickhouse": "Bool", "spark": "BOOLEAN"}.get(dialect, "BOOLEAN")
    if pa.types.is_integer(dtype):
        width = dtype.bit_width
        if dialect == "clickhouse":
            return f"Int{max(width, 8)}"
        if dialect == "spark":
            return {8: "TINYINT", 16: "SMALLINT", 32: "INT"}.get(width, "BIGINT")
        return {8: "SMALLINT", 16: "SMALLINT", 32: "INTEGER"}.get(width, "BIGINT")
    if pa.types.is_floating(dtype):
        return {"clickhouse": "Float64", "spark": "DOUBLE"}.get(dialect, "DOUBLE PRECISION")
    # Text sorts by code point everywhere, as the in-memory backend sorts Python str.
    return {
        "clickhouse": "String",
        "spark": "STRING",
        "postgres": 'TEXT COLLATE "C"',
    }.get(dialect, "VARCHAR")


def create_sql(name: str, schema: pa.Schema, dialect: str, order: str) -> str:
    cols = ", ".join(f'"{f.name}" {column_type(f.type, dialect)}' for f in schema)
    if dialect == "clickhouse":
        cols = ", ".join(f"`{f.name}` {column_type(f.type, dialect)}" for f in schema)
        return f"CREATE TABLE {name} ({cols}) ENGINE = MergeTree ORDER BY ({order})"
    if dialect == "spark":
        cols = ", ".join(f"`{f.name}` {column_type(f.type, dialect)}" for f in schema)
        return f"CREATE TABLE {name} ({cols}) USING parquet"
    return f"CREATE TABLE {name} ({cols})"


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary and large types as plain ones (what every loader takes)."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_large_string(t) or pa.types.is_string(t):
            t = pa.string()
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields))


# --- the engines ----------------------------------------------------------------------


class DuckDBEngine(Engine):
    dialect = "duckdb"

    def __init__(self, url: str, path: str) -> None:
        super().__init__()
        import duckdb

        self.url = url
        try:
            self._con = duckdb.connect(path or ":memory:")
        except duckdb.Error as exc:
            raise EngineError(f"{redact(url)}: {_one_line(exc)}") from None

    def _arrow(self, sql: str) -> pa.Table:
        return self._con.sql(sql).to_arrow_table()

    def _execute(self, sql: str) -> None:
        self._con.execute(sql)

    def load(self, name: str, table: pa.Table, order: str) -> None:
        data = _plain(table)  # noqa: F841 (read by name by duckdb)
        with self._lock:
            self._con.execute(f"DROP TABLE IF EXISTS {name}")
            self._con.execute(f"CREATE TABLE {name} AS SELECT * FROM data ORDER BY {order}")

    def close(self) -> None:
        self._con.close()


class PostgresEngine(Engine):
    """ADBC's libpq driver: results as Arrow, loading by COPY (adbc_ingest)."""

    dialect = "postgres"

    def __init__(self, url: str, password: str | None) -> None:
        super().__init__()
        try:
            import adbc_driver_postgresql.dbapi as pg
        except ImportError:
            raise EngineError("PostgreSQL needs adbc-driver-postgresql (pip install)") from None
        self.url = url
        parts = urlsplit(url)
        conninfo = url.replace("postgres://", "postgresql://", 1)
        if password is not None:
            user = parts.username or ""
            from urllib.parse import quote

            netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}"
            if parts.port:
                netloc += f":{parts.port}"
            conninfo = urlunsplit(parts._replace(scheme="postgresql", netloc=netloc))
        try:
            self._con = pg.connect(conninfo, autocommit=True)
        except Exception as exc:
            raise EngineError(f"{redact(url)}: cannot connect ({_one_line(exc)})") from None

    def _arrow(self, sql: str) -> pa.Table:
        with self._con.cursor() as cur:
            cur.execute(sql)
            return cur.fetch_arrow_table()

    def _execute(self, sql: str) -> None:
        with self._con.cursor() as cur:
            cur.execute(sql)

    def load(self, name: str, table: pa.Table, order: str) -> None:
        data = _plain(table)
        self.drop(name)
        self.execute(create_sql(name, data.schema, "postgres", order), render_it=False)
        with self._lock, self._con.cursor() as cur:
            try:
                cur.adbc_ingest(name, data, mode="append")  # COPY ... FROM STDIN (binary)
            except Exception as exc:
                raise EngineError(f"{redact(self.url)}: loading {name}: {_one_line(exc)}") from None
        # The load order is the index: windows seek on lo, count frames on (lvl, bucket).
        self.execute(f"CREATE INDEX ON {name} ({order})", render_it=False)
        first = order.split(",")[0].strip()
        if first != "ekey" and "ekey" in data.column_names:
            self.execute(f"CREATE INDEX ON {name} (ekey)", render_it=False)
        self.execute(f"ANALYZE {name}", render_it=False)

    def close(self) -> None:
        self._con.close()


class SparkEngine(Engine):
    """Spark SQL through a SparkSession: Spark Connect for ``sc://``, else local."""

    dialect = "spark"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineError("Spark needs pyspark (pip install 'pyspark[connect]')") from None
        try:
            if url.startswith("sc://"):
                self._spark = SparkSession.builder.remote(url).getOrCreate()
                self._spark.sql("SELECT 1").collect()
            else:
                self._spark = (
                    SparkSession.builder.master("local[2]")
                    .config("spark.ui.enabled", "false")
                    .getOrCreate()
                )
        except Exception as exc:
            raise EngineError(f"{redact(url)}: cannot connect ({_one_line(exc)})") from None

    def _arrow(self, sql: str) -> pa.Table:
        return self._spark.sql(sql).toArrow()

    def _execute(self, sql: str) -> None:
        self._spark.sql(sql).collect()

    def load(self, name: str, table: pa.Table, order: str) -> None:
        data = _plain(table)
        self.drop(name)
        self.execute(create_sql(name, data.schema, "spark", order), render_it=False)
        if not data.num_rows:
            return
        with self._lock:
            try:
                # In slices: the driver holds one slice at a time, not the whole table.
                for start in range(0, data.num_rows, SPARK_SLICE):
                    frame = self._spark.createDataFrame(data.slice(start, SPARK_SLICE))
                    columns = [c.strip() for c in order.split(",")]
                    frame.sortWithinPartitions(*columns).write.insertInto(name)
            except Exception as exc:
                raise EngineError(f"{redact(self.url)}: loading {name}: {_one_line(exc)}") from None

    def close(self) -> None:
        if self.url.startswith("sc://"):
            return  # the session belongs to the server; nothing to stop here
        return None


class ChdbEngine(Engine):
    """The embedded ClickHouse engine (chdb), its tables in a folder."""

    dialect = "clickhouse"

    def __init__(self, url: str, path: str) -> None:
        super().__init__()
        self.url = url
        try:
            from chdb import session as chdb_session
        except ImportError:
            raise EngineError("chdb:// needs chdb (pip install chdb)") from None
        try:
            make: Any = chdb_session.Session
            self._session: Any = make(path) if path else make()
            # SQL's reading: a name in WHERE is the column, not a SELECT alias.
            self._session.query("SET prefer_column_name_to_alias = 1")
        except Exception as exc:
            raise EngineError(f"{redact(url)}: {_one_line(exc)}") from None

    def _arrow(self, sql: str) -> pa.Table:
        got = self._session.query(sql, "ArrowTable")
        return got if isinstance(got, pa.Table) else pa.table({})

    def _execute(self, sql: str) -> None:
        self._session.query(sql)

    def load(self, name: str, table: pa.Table, order: str) -> None:
        data = _plain(table)
        self.drop(name)
        self.execute(create_sql(name, data.schema, "clickhouse", order), render_it=False)
        with self._lock:
            try:
                self._session.query(f"INSERT INTO {name} SELECT * FROM Python(data)")
            except Exception as exc:
                raise EngineError(f"{redact(self.url)}: loading {name}: {_one_line(exc)}") from None

    def close(self) -> None:
        self._session.close()


class ClickHouseEngine(Engine):
    """A ClickHouse server over HTTP with clickhouse-connect (Arrow both ways)."""

    dialect = "clickhouse"

    def __init__(self, url: str, password: str | None) -> None:
        super().__init__()
        self.url = url
        try:
            import clickhouse_connect  # type: ignore[import-not-found]
        except ImportError:
            raise EngineError(
                "clickhouse:// needs clickhouse-connect (pip install clickhouse-connect)"
            ) from None
        parts = urlsplit(url)
        try:
            self._client = clickhouse_connect.get_client(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 8123,
                username=parts.username or "default",
                password=password if password is not None else unquote(parts.password or ""),
                database=parts.path.strip("/") or "default",
            )
        except Exception as exc:
            raise EngineError(f"{redact(url)}: cannot connect ({_one_line(exc)})") from None

    def _arrow(self, sql: str) -> pa.Table:
        return self._client.query_arrow(sql)

    def _execute(self, sql: str) -> None:
        self._client.command(sql)

    def load(self, name: str, table: pa.Table, order: str) -> None:
        data = _plain(table)
        self.drop(name)
        self.execute(create_sql(name, data.schema, "clickhouse", order), render_it=False)
        self._client.insert_arrow(name, data)


def connect(url: str, password: str | None = None) -> Engine:
    """An engine for `url` (see the module docstring for the schemes)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "duckdb":
        return DuckDBEngine(url, unquote(parts.path) if parts.netloc == "" else parts.path)
    if scheme in ("postgresql", "postgres"):
        return PostgresEngine(url, password)
    if scheme == "sc" or url == "spark:local":
        return SparkEngine(url)
    if scheme == "chdb":
        return ChdbEngine(url, unquote(parts.path))
    if scheme == "clickhouse":
        return ClickHouseEngine(url, password)
    if scheme == "trino":
        raise EngineError(f"{redact(url)}: Trino queries render, but no Trino driver is wired yet")
    raise EngineError(
        f"{redact(url)}: unknown engine (use postgresql://, sc://, clickhouse://, chdb://, "
        "duckdb:// or spark:local)"
    )
