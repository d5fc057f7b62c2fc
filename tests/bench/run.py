"""`make bench`: page weight and server time, measured against the framework's floor.

For each database (SQLite, PostgreSQL) and size (small, large) it builds a
fresh database with realistic data (tests/bench/data.py), serves the app with
gunicorn and the production settings on 127.0.0.1, and drives it from this
separate process with a fixed number of keep-alive connections. Every page is
also reported as a ratio to a bare view (a constant response through the same
middleware) measured in the same run on the same server. Not part of the suite.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "tests" / "bench" / "results.json"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass
class PageResult:
    database: str
    size: str
    page: str
    path: str
    requests: int
    concurrency: int
    p50_ms: float
    p95_ms: float
    rps: float
    p50_ratio: float = 0.0
    p95_ratio: float = 0.0
    rps_ratio: float = 0.0
    # Signed-in pages: p50 as a ratio to the signed-in floor (session, person, roles,
    # the base page with nothing in it), measured in the same run.
    p50_floor_ratio: float = 0.0
    queries: int | None = None
    bytes_raw: int = 0
    bytes_gzip: int = 0
    errors: int = 0


@dataclass
class Run:
    machine: dict
    pages: list[PageResult] = field(default_factory=list)
    first_load: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; TLS is Caddy's job
        SECRET_KEY=secrets.token_urlsafe(50),
        KEYRING_MASTER_KEY=base64.b64encode(os.urandom(32)).decode(),
        KEYRING_DIR=str(workdir / "keyring"),
        VAR_DIR=str(workdir / "var"),
        STATIC_ROOT=str(workdir / "static"),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        TIME_ZONE=env_time_zone(),
        PYTHONPATH=str(ROOT),
    )
    (workdir / "keyring").mkdir(parents=True, exist_ok=True)
    (workdir / "var").mkdir(parents=True, exist_ok=True)
    return env


def env_time_zone() -> str:
    return os.environ.get("TIME_ZONE", "America/New_York")


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def data(env: dict[str, str], *args: str) -> dict:
    """Run tests/bench/data.py in its own process; it prints one JSON object."""
    result = subprocess.run(
        [PYTHON, "-m", "tests.bench.data", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"bench data {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    # Several checkouts on one server each name their own (BENCH_DATABASE).
    name = os.environ.get("BENCH_DATABASE", "crisisline_bench")
    for statement in (
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    ):
        subprocess.run(["psql", "-q", PG_ADMIN, "-c", statement], check=True, capture_output=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


class Server:
    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.log = open(Path(env["VAR_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                "1",
                "--access-logfile",
                "/dev/null",
                "crisisline.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start; see its log in " + self.log.name)

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str, cookie: str = "", gzip_ok: bool = False) -> tuple[int, dict, bytes]:
        conn = self.connection()
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if cookie:
            headers["Cookie"] = cookie
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


@dataclass
class Target:
    name: str
    path: str
    cookie: str = ""
    method: str = "GET"
    form: dict | None = None  # POST fields; the CSRF token is added by `prepare`
    expect: tuple[int, ...] = (200,)


def prepare(server: Server, target: Target) -> None:
    """For POSTs: fetch the form once and add its CSRF token and cookie."""
    if target.method != "POST":
        return
    status, headers, body = server.get(target.path, cookie=target.cookie)
    assert status == 200, (target.path, status)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
    if csrf_cookie:
        target.cookie = f"{target.cookie}; csrftoken={csrf_cookie.group(1)}"
    target.form = {**(target.form or {}), "csrfmiddlewaretoken": token}


def hammer(
    server: Server, target: Target, requests: int, concurrency: int
) -> tuple[list[float], int, float]:
    """`requests` requests over `concurrency` keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = requests // concurrency
    body = urlencode(target.form or {}, doseq=True).encode() if target.method == "POST" else None
    headers = {"Host": f"127.0.0.1:{server.port}", "Cookie": target.cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"http://127.0.0.1:{server.port}"
        headers["Referer"] = f"http://127.0.0.1:{server.port}{target.path}"

    def worker() -> None:
        nonlocal errors
        conn = server.connection()
        mine, bad = [], 0
        for _ in range(per_thread):
            start = time.perf_counter()
            conn.request(target.method, target.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status not in target.expect:
                bad += 1
            if response.will_close:
                conn.close()
                conn = server.connection()
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(
    server: Server, target: Target, database: str, size: str, requests: int, concurrency: int
) -> PageResult:
    prepare(server, target)
    hammer(server, target, max(concurrency * 5, requests // 10), concurrency)  # warm up
    latencies, errors, elapsed = hammer(server, target, requests, concurrency)
    raw = b""
    if target.method == "GET":
        status, _headers, raw = server.get(target.path, cookie=target.cookie)
        if status not in target.expect:
            errors += 1
    return PageResult(
        database=database,
        size=size,
        page=target.name,
        path=target.path,
        requests=len(latencies),
        concurrency=concurrency,
        p50_ms=round(statistics.median(latencies) * 1000, 2),
        p95_ms=round(percentile(latencies, 0.95) * 1000, 2),
        rps=round(len(latencies) / elapsed, 1),
        bytes_raw=len(raw),
        bytes_gzip=len(gzip.compress(raw, 6)) if raw else 0,
        errors=errors,
    )


ASSET = re.compile(rb'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"')


def first_load(server: Server, target: Target) -> dict:
    """Every byte the first visit to a page transfers (compressed, as served)."""
    _status, _headers, html = server.get(target.path, cookie=target.cookie)
    loads = {"html": {"path": target.path, "raw": len(html), "gzip": len(gzip.compress(html, 6))}}
    assets = []
    for path in dict.fromkeys(m.decode() for m in ASSET.findall(html)):
        status, headers, body = server.get(path, gzip_ok=True)
        encoded = headers.get("content-encoding", "")
        assets.append(
            {"path": path, "status": status, "bytes": len(body), "encoding": encoded or "identity"}
        )
    css = sum(a["bytes"] for a in assets if a["path"].endswith(".css"))
    total = loads["html"]["gzip"] + sum(a["bytes"] for a in assets)
    return {**loads, "assets": assets, "html_css_gzip": loads["html"]["gzip"] + css, "total": total}


def machine() -> dict:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def run_one(
    run: Run, database: str, size: str, requests: int, concurrency: int, workers: int
) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{database}-{size}-"))
    try:
        env = environment(fresh_database(database, workdir), workdir)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        started = time.perf_counter()
        info = data(env, "populate", size)
        manage(env, "prune")  # as the scheduler does when it starts (planner statistics)
        print(
            f"[{database}/{size}] data in {time.perf_counter() - started:.0f} s: {info['summary']}",
            flush=True,
        )
        run.timings.setdefault(database, {})[size] = info.get("timings", {})
        queries = data(env, "queries", json.dumps(info["pages"]))
        # Pages that must read in a constant number of queries, whatever the line's size.
        too_many = {
            page["name"]: (queries.get(page["name"]), page["max_queries"])
            for page in info["pages"]
            if "max_queries" in page and (queries.get(page["name"]) or 0) > page["max_queries"]
        }
        assert not too_many, f"more queries than allowed (found, allowed): {too_many}"
        server = Server(env, workers)
        try:
            bare = measure(
                server, Target("bare view", "/bench/bare"), database, size, requests, concurrency
            )
            bare.queries = 0
            run.pages.append(bare)
            for page in info["pages"]:
                target = Target(
                    page["name"],
                    page["path"],
                    cookie=page.get("cookie", ""),
                    method=page.get("method", "GET"),
                    form=page.get("form"),
                    expect=tuple(page.get("expect", [200])),
                )
                result = measure(server, target, database, size, requests, concurrency)
                result.queries = queries.get(page["name"])
                result.p50_ratio = round(result.p50_ms / bare.p50_ms, 2)
                result.p95_ratio = round(result.p95_ms / bare.p95_ms, 2)
                result.rps_ratio = round(result.rps / bare.rps, 2)
                run.pages.append(result)
                print(
                    f"  {result.page:<22} p50 {result.p50_ms:7.2f} ms  x{result.p50_ratio:<5} "
                    f"queries {result.queries}  errors {result.errors}",
                    flush=True,
                )
                if page.get("cookie") and page["name"] != "signed-in floor":
                    floor = next(r for r in run.pages[::-1] if r.page == "signed-in floor")
                    result.p50_floor_ratio = round(result.p50_ms / floor.p50_ms, 2)
                if page.get("first_load"):
                    run.first_load.setdefault(database, {})[size] = first_load(server, target)
        finally:
            server.stop()
        if size == "large":
            run.timings[database]["purge_100k"] = data(env, "purge", "100000")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def table(run: Run) -> str:
    head = (
        "| db | size | page | p50 ms | p95 ms | req/s | p50 ×bare | p95 ×bare | p50 ×signed-in | queries | bytes | gzip |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [
        f"| {r.database} | {r.size} | {r.page} | {r.p50_ms} | {r.p95_ms} | {r.rps} | "
        f"{r.p50_ratio or '—'} | {r.p95_ratio or '—'} | {r.p50_floor_ratio or '—'} | {r.queries if r.queries is not None else '—'} | "
        f"{r.bytes_raw} | {r.bytes_gzip} |"
        for r in run.pages
    ]
    lines = [head, *rows, ""]
    for database, sizes in run.first_load.items():
        for size, load in sizes.items():
            lines.append(
                f"- first load of /oncall/ ({database}, {size}): HTML + CSS {load['html_css_gzip']} B "
                f"gzip, everything {load['total']} B ({', '.join(a['path'].rsplit('/', 1)[-1] for a in load['assets'])})"
            )
    for database, timings in run.timings.items():
        for what, figures in timings.items():
            lines.append(f"- {database} {what}: {json.dumps(figures)}")
    return "\n".join(lines)


# The budget (docs: DESIGN.md, "Performance budget"): these pages keep the same number of
# queries however big the line grows; signed-in pages stay within 5x the signed-in floor on
# the large line; a month of the phone roster stays under 100 KB of HTML.
CONSTANT_QUERIES = (
    "on call now",
    "roster month",
    "roster week grid",
    "coverage report",
    "coverage, line holders only",
    "team roster",
)
FLOOR_BUDGET = 5.0
ROSTER_MONTH_MAX_BYTES = 100_000


def checks(run: Run) -> tuple[list[str], list[str]]:
    """(failures, notes): query counts that grow with the line and a phone roster over
    its size fail the run; pages over 5x the floor are reported."""
    failures, notes = [], []
    by = {(r.database, r.size, r.page): r for r in run.pages}
    for database in dict.fromkeys(r.database for r in run.pages):
        for page in CONSTANT_QUERIES:
            small, large = by.get((database, "small", page)), by.get((database, "large", page))
            if small and large and small.queries != large.queries:
                failures.append(
                    f"{database}: {page} makes {small.queries} queries on the small line "
                    f"and {large.queries} on the large one"
                )
        for result in run.pages:
            if result.database != database:
                continue
            if result.page == "roster month" and result.bytes_raw >= ROSTER_MONTH_MAX_BYTES:
                failures.append(
                    f"{database}/{result.size}: the month roster is {result.bytes_raw} bytes "
                    f"of HTML (at most {ROSTER_MONTH_MAX_BYTES})"
                )
            if result.size == "large" and result.p50_floor_ratio > FLOOR_BUDGET:
                notes.append(
                    f"{database}/large: {result.page} p50 is {result.p50_floor_ratio}x "
                    f"the signed-in floor (budget {FLOOR_BUDGET}x)"
                )
    return failures, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--requests", type=int, default=400)
    # As many connections as gunicorn workers (one per core here): each request is
    # served at once, so latency is the server's time, not the length of a queue.
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    run = Run(machine=machine())
    run.machine["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    for database in options.databases.split(","):
        for size in options.sizes.split(","):
            run_one(run, database, size, options.requests, options.concurrency, options.workers)
            write(run)  # a long run keeps what it measured so far
    run.machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write(run)
    print()
    print(table(run))
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    failures, notes = checks(run)
    for line in notes:
        print(f"over budget: {line}")
    for line in failures:
        print(f"FAILED: {line}")
    return 1 if failures else 0


def write(run: Run) -> None:
    failures, notes = checks(run)
    RESULTS.write_text(
        json.dumps(
            {**asdict(run), "table": table(run), "failures": failures, "over_budget": notes},
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())
