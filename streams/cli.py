"""``pantau``: the command line (DESIGN §9).

Every failure a user can cause — a bad argument, a missing file, a service that will not
start — ends in one line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from streams.errors import UserError
from streams.settings import PROJECT_ROOT, Settings
from streams.topics import REFERENCE_KINDS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints the whole usage; one line is enough
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pantau", description="Pantau: one reconciled, real-time record per migrant worker.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    services = commands.add_parser("services", help="start, stop or show the local Kafka and Redis")
    services.add_argument("action", choices=("up", "down", "status"))

    worker = commands.add_parser("worker", help="run the stream processor (several may run)")
    worker.add_argument("--loglevel", default="info", choices=("debug", "info", "warning", "error"))

    publish = commands.add_parser("publish", help="validate partner events (JSON lines) and produce them")
    publish.add_argument("file", help="JSON lines, one partner event per line (DESIGN §3); - for stdin")
    publish.add_argument("--dry-run", action="store_true", help="validate only; send nothing")

    reference = commands.add_parser("reference", help="reference data: P3MI licences, destination policy")
    reference_actions = reference.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    reference_publish = reference_actions.add_parser("publish", help="validate a reference CSV and produce it")
    reference_publish.add_argument("kind", choices=REFERENCE_KINDS, help="which reference data the file holds")
    reference_publish.add_argument("file", help="CSV with the kind's header line (DESIGN §9); - for stdin")
    reference_publish.add_argument("--dry-run", action="store_true", help="validate only; send nothing")

    state = commands.add_parser("state", help="one worker's state, from the Redis projection or (--api) a worker")
    which = state.add_mutually_exclusive_group(required=True)
    which.add_argument("--worker", metavar="ID")
    which.add_argument("--nik", metavar="NIK")
    which.add_argument("--passport", metavar="NO")
    state.add_argument("--json", action="store_true")
    state.add_argument("--api", metavar="URL", help="ask a worker's HTTP API (e.g. http://localhost:6066) instead of Redis")

    reconcile = commands.add_parser("reconcile", help="workers abroad per source kind against canonical, and why they differ")
    reconcile.add_argument("--by", default="country", choices=("country", "province", "sector"),
                           help="the dimension of the rows (default country)")
    output = reconcile.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_const", const="json", dest="output", help="DESIGN §6 JSON")
    output.add_argument("--csv", action="store_const", const="csv", dest="output", help="one line per value and source kind")
    reconcile.add_argument("--chart", metavar="FILE", help="also write a PNG chart of the top values")
    reconcile.add_argument("--top", type=_positive, default=15, metavar="N", help="rows in the table and the chart (default 15)")

    alerts = commands.add_parser("alerts", help="alerts from the Redis channels or (--api) a worker; --follow prints changes live")
    alerts.add_argument("--follow", action="store_true", help="after the list, print each change as it happens (Ctrl-C stops)")
    # Checked when run (domain.alert_projection.filters_problem, as the API does): the rules'
    # names come with the rules, too much to import for every command.
    alerts.add_argument("--rule", metavar="R", help="only this rule's alerts (a DESIGN §5 rule name)")
    alerts.add_argument("--status", metavar="S", help="only OPEN or only RESOLVED alerts")
    alerts.add_argument("--subject", metavar="ID", help="only alerts about this worker, P3MI, employer or country")
    alerts.add_argument("--json", action="store_true", help="one JSON document per alert and line")
    alerts.add_argument("--api", metavar="URL", help="ask a worker's HTTP API (e.g. http://localhost:6066) instead of Redis")

    redis = commands.add_parser("redis", help="the Redis projection of worker state")
    redis_actions = redis.add_subparsers(dest="action", required=True, parser_class=_Parser, metavar="ACTION")
    redis_actions.add_parser("rebuild", help="delete this prefix's projection and write it again from the worker-state topic")

    score = commands.add_parser("score", help="compare the running pipeline's outputs with a simulated population's truth")
    score.add_argument("directory", metavar="DIR", help="the --out directory of pantau simulate")
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    score.add_argument("--as-of", type=_moment, metavar="TIME",
                       help="judge timed alerts as of this ISO 8601 time (default: the pipeline's event-time watermark)")
    simulate = commands.add_parser("simulate", help="a synthetic population with ground truth, written to DIR")
    simulate.add_argument("--workers", type=int, required=True, metavar="N", help="people in the population")
    simulate.add_argument("--seed", type=int, required=True, metavar="S", help="same seed and options, same files")
    simulate.add_argument("--out", required=True, metavar="DIR", help="where the events and the truth go")
    simulate.add_argument("--produce", action="store_true", help="also produce it all to this prefix's topics")
    simulate.add_argument("--years", type=int, default=3, metavar="Y", help="length of the simulated window (default 3)")
    simulate.add_argument("--until", metavar="YYYY-MM-DD",
                          help="the window's last day (default: a fixed date, so the output never depends on today)")
    simulate.add_argument("--rate", action="append", default=[], metavar="NAME=VALUE",
                          help="override one rate (docs/simulator.md lists them); repeatable")
    simulate.add_argument("--processes", type=int, default=2, metavar="P", help="generator processes (default 2)")

    demo = commands.add_parser("demo", help="everything end to end on a simulated population, then the summary and score")
    demo.add_argument("--workers", type=_positive, default=10_000, metavar="N", help="simulated workers (default 10,000)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="the simulation's seed (default 1)")
    demo.add_argument("--json", action="store_true", help="print the summary and the score as JSON")
    _bench_parser(commands)
    return parser


def _bench_parser(commands) -> None:
    """``pantau bench SCENARIO``: the measurements of docs/benchmarks.md, each on a pipeline of its own."""
    bench = commands.add_parser("bench", help="measure throughput, latency, recovery, memory, scale-out, the simulator (from a checkout)")
    scenarios = bench.add_subparsers(dest="scenario", required=True, parser_class=_Parser, metavar="SCENARIO")
    guarantee = {"choices": ("at_least_once", "exactly_once"), "default": "at_least_once",
                 "help": "the worker's processing guarantee (default at_least_once)"}

    replay = scenarios.add_parser("replay", help="a preloaded backlog through one worker, beside the ceiling and the Quix peer")
    replay.add_argument("--events", type=_positive, default=10_000, metavar="N", help="events to preload (default 10,000)")
    replay.add_argument("--guarantee", **guarantee)
    replay.add_argument("--pantau-only", action="store_true", help="skip the ceiling and the peer")

    latency = scenarios.add_parser("latency", help="produce-to-Redis and produce-to-alert latency at a fixed rate, then after idling")
    latency.add_argument("--rate", type=_positive, default=1000, metavar="R", help="events per second (default 1,000)")
    latency.add_argument("--seconds", type=_positive, default=60, metavar="T", help="how long to send (default 60)")
    latency.add_argument("--idle-seconds", type=_natural, default=300, metavar="S",
                         help="idle time before the last event (default 300)")

    recovery = scenarios.add_parser("recovery", help="SIGKILL a worker holding K workers; restart from its store, then from nothing")
    recovery.add_argument("--workers", type=_positive, default=20_000, metavar="K", help="workers in state (default 20,000)")
    recovery.add_argument("--guarantee", **guarantee)

    memory = scenarios.add_parser("memory", help="peak RSS of a worker holding K workers' state")
    memory.add_argument("--workers", type=_positive, default=20_000, metavar="K", help="workers in state (default 20,000)")

    scaleout = scenarios.add_parser("scaleout", help="one against two worker processes on the same backlog")
    scaleout.add_argument("--events", type=_positive, default=10_000, metavar="N", help="events to preload (default 10,000)")
    scaleout.add_argument("--partitions", type=_positive, default=8, metavar="P", help="partitions per topic (default 8)")

    simulator = scenarios.add_parser("simulator", help="pantau simulate writing files: events/s, CPU and memory through the run")
    simulator.add_argument("--workers", type=_positive, default=1_000_000, metavar="N",
                           help="people to simulate (default 1,000,000)")
    simulator.add_argument("--processes", type=_positive, default=2, metavar="P", help="generator processes (default 2)")

    everything = scenarios.add_parser("all", help="every scenario at this machine's sizes (make bench): JSON lines and a table")
    everything.add_argument("--idle-seconds", type=_natural, default=120, metavar="S",
                            help="the latency scenario's idle time (default 120)")
    for scenario in (replay, latency, recovery, memory, scaleout, simulator):
        scenario.add_argument("--json", action="store_true", help="print only the JSON line")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return value


def _natural(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, not {text!r}")
    return value


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return _dispatch(args, settings) or 0
    except (UserError, ValueError, OSError) as exc:
        print(f"pantau: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Ctrl-C is how one stops following alerts: a normal end, whenever it comes.
        return 0 if getattr(args, "follow", False) else 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int | None:
    if args.command == "services":
        from streams import services

        try:
            getattr(services, args.action)(settings)
        except services.ServiceError as exc:
            raise UserError(str(exc)) from None
    elif args.command == "worker":
        from streams.app import run_worker

        run_worker(settings, loglevel=args.loglevel)
    elif args.command == "publish":
        from streams.publish import publish_file

        return publish_file(settings, args.file, dry_run=args.dry_run)
    elif args.command == "reference":
        from streams.reference import publish_reference_file

        return publish_reference_file(settings, args.kind, args.file, dry_run=args.dry_run)
    elif args.command == "state":
        from streams.state_view import show_state

        return show_state(
            settings, worker_id=args.worker, nik=args.nik, passport=args.passport, as_json=args.json, api=args.api
        )
    elif args.command == "reconcile":
        from streams.reconcile import run_reconcile

        return run_reconcile(settings, args.by, args.output or "table", args.chart, args.top)
    elif args.command == "alerts":
        from streams.alert_view import show_alerts

        return show_alerts(settings, status=args.status, rule=args.rule, subject_id=args.subject, as_json=args.json,
                           follow=args.follow, api=args.api)
    elif args.command == "redis":
        from streams.rebuild import rebuild

        return rebuild(settings)
    elif args.command == "score":
        from streams.score import run_score

        return run_score(settings, args.directory, as_json=args.json, as_of=args.as_of)
    elif args.command == "simulate":
        from simulator.command import run_simulate

        return run_simulate(settings, args.workers, args.seed, args.out, args.produce, args.years, args.until,
                            args.rate, args.processes)
    elif args.command == "demo":
        from streams.demo import run_demo

        return run_demo(settings, workers=args.workers, seed=args.seed, as_json=args.json)
    elif args.command == "bench":
        # bench/ and the tests' factories it reuses live in the checkout, not in the installed package.
        sys.path.insert(0, str(PROJECT_ROOT))
        from bench.command import run_bench

        return run_bench(args, settings)
    return None


if __name__ == "__main__":
    sys.exit(main())
