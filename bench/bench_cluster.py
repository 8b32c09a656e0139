"""Benchmark: POST /api/v1/verify requests/s through HAProxy with one and with two app instances, side by side.

One deployment (tests/support/cluster.py: PostgreSQL primary + streaming replica, Redis, two `verify serve`
instances with two workers each, HAProxy with deploy/haproxy.cfg) and a second HAProxy with the same file whose
two server lines both name instance A. Rounds alternate between the two proxies (`--rounds`, `--seconds` each)
with the same client (httpx, `--connections` at a time, in this process); medians and every round are printed as
Markdown, with the CPU model and load average. Every verification reads the replica's registry status.

    .venv/bin/python bench/bench_cluster.py --rounds 5 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_http import _httpx_load  # noqa: E402
from machine import cpu_model  # noqa: E402
from support.cluster import DEPLOY, free_port, running_cluster, start, wait_until_healthy  # noqa: E402
from support.web import issue  # noqa: E402


def main() -> None:
    """Start the deployment, measure alternating rounds, print the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        workdir = Path(tmp)
        with running_cluster(workdir, env={"VERIFY_RATE_VERIFY": "100000000/minute"}) as cluster:
            body = json.dumps({"qr_text": issue(cluster.world).revision.qr_text})
            port = free_port()
            single = start("haproxy-one", ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
                           {**os.environ, "VERIFY_PROXY_BIND": f"127.0.0.1:{port}",
                            "VERIFY_INSTANCE_A": cluster.instances["a"].url.removeprefix("http://"),
                            "VERIFY_INSTANCE_B": cluster.instances["a"].url.removeprefix("http://")}, workdir)
            try:
                one_url = f"http://127.0.0.1:{port}"
                wait_until_healthy(one_url, single.process, single.log)
                rounds: dict[str, list[float]] = {"1 instance": [], "2 instances": []}
                failures = 0
                for _ in range(args.rounds):
                    for name, url in (("1 instance", one_url), ("2 instances", cluster.proxy)):
                        load = asyncio.run(_httpx_load(url + "/api/v1/verify", "POST", [body], seconds=args.seconds,
                                                       connections=args.connections))
                        rounds[name].append(load.rps)
                        failures += load.non_200 + load.errors
            finally:
                single.stop()
    one, two = (statistics.median(rounds[name]) for name in ("1 instance", "2 instances"))
    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs; load average (1, 5, 15 min) before: "
          f"{', '.join(f'{x:.1f}' for x in load_before)}, after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{args.rounds} alternating rounds of {args.seconds:g} s, {args.connections} connections, httpx client "
          f"in the same machine; answers other than 200: {failures}\n")
    print("| through HAProxy | median requests/s | rounds |")
    print("|---|---|---|")
    for name, median in (("1 instance (2 workers)", one), ("2 instances (2 workers each)", two)):
        key = name.split(" (")[0]
        print(f"| {name} | {median:.0f} | {', '.join(f'{r:.0f}' for r in rounds[key])} |")
    print(f"\nratio 2 / 1: {two / one:.2f}")


if __name__ == "__main__":
    main()
