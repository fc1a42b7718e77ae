"""Real engines, started by the test suite itself on 127.0.0.1, once per run.

- PostgreSQL: Debian's server (``initdb`` in a temporary folder, a free port, trust
  authentication on loopback; as the ``postgres`` user when the suite runs as root,
  since the server refuses to run as root).
- Spark SQL: a Spark Connect server started from the pyspark package
  (``SparkConnectServer`` through its ``spark-submit``; Java 17), reached at
  ``sc://127.0.0.1:PORT`` as a cluster is.
- ClickHouse: the embedded engine chdb, its tables in a temporary folder.

Each is started on first use and stopped when the run ends (`stop_all`, called from
conftest's ``pytest_sessionfinish``). A test asks for an engine with `engine(name)`;
tables are named per test (`fresh_table`), so tests share one server.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from explorer.engines.sql_engines import Engine, connect

PG_BIN_DIRS = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)
STARTED: dict[str, Engine] = {}
_STOPS: list[Callable[[], None]] = []
_NAMES = itertools.count()
URLS: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, seconds: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.5)
    raise RuntimeError(f"server did not listen on {port} in {seconds}s: {log}")


def pg_bin() -> Path | None:
    for folder in PG_BIN_DIRS:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def start_postgres() -> str:
    """initdb + pg_ctl start in a temporary folder; returns the URL."""
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL server not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="te-pg-"))
    data = root / "data"
    port = free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses root: run it as the postgres user
        shutil.chown(root, "postgres")
        os.chmod(root, 0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, str(binary / "initdb"), "-D", str(data), "-U", "te", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        check=True, capture_output=True,
    )  # fmt: skip
    log = root / "log"
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_user, str(binary / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
         "-w", "start"],
        check=True, capture_output=True,
    )  # fmt: skip

    def stop() -> None:
        subprocess.run(
            [*as_user, str(binary / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)

    _STOPS.append(stop)
    return f"postgresql://te@127.0.0.1:{port}/postgres"


def start_spark_connect() -> str:
    """The Spark Connect server of the pyspark package, on loopback; returns sc://."""
    import pyspark

    home = Path(pyspark.__file__).parent
    root = Path(tempfile.mkdtemp(prefix="te-spark-"))
    port = free_port()
    log = root / "server.log"
    conf = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.shuffle.partitions": "1",
        "spark.sql.adaptive.enabled": "false",  # tiny tables: planning is the cost
        "spark.default.parallelism": "1",
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        "spark.ui.enabled": "false",
        "spark.driver.memory": os.environ.get("TE_SPARK_MEMORY", "1g"),
    }
    args = [str(home / "bin" / "spark-submit"), "--master", "local[2]", "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer"]  # fmt: skip
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    args += ["--driver-java-options", f"-Dderby.system.home={root}", "spark-internal"]
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root, start_new_session=True
        )

    def stop() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        shutil.rmtree(root, ignore_errors=True)

    _STOPS.append(stop)
    _wait_port(port, 240, proc, log)
    return f"sc://127.0.0.1:{port}"


def start_chdb() -> str:
    root = Path(tempfile.mkdtemp(prefix="te-chdb-"))
    _STOPS.append(lambda: shutil.rmtree(root, ignore_errors=True))
    return f"chdb://{root}"


STARTERS: dict[str, Callable[[], str]] = {
    "postgres": start_postgres,
    "spark": start_spark_connect,
    "clickhouse": start_chdb,
}


def _stop_on_term() -> None:
    """A run stopped by SIGTERM (a timeout, a CI cancel) stops its servers too: without
    this, pytest's session end never comes and PostgreSQL and the JVM outlive it."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "_te_stops", False):
        return

    def on_term(signum: int, frame: object) -> None:
        stop_all()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    on_term._te_stops = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, on_term)
    atexit.register(stop_all)


def engine(name: str) -> Engine:
    """The running engine `name`, started on first use."""
    if name not in STARTED:
        _stop_on_term()
        URLS[name] = STARTERS[name]()
        STARTED[name] = connect(URLS[name])
    return STARTED[name]


def url(name: str) -> str:
    engine(name)
    return URLS[name]


def fresh_table() -> str:
    return f"t{os.getpid()}_{next(_NAMES)}"


def stop_all() -> None:
    for eng in STARTED.values():
        with contextlib.suppress(Exception):
            eng.close()
    STARTED.clear()
    while _STOPS:
        with contextlib.suppress(Exception):
            _STOPS.pop()()
