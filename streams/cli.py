"""``pantau``: the command line (DESIGN §9).

Every failure a user can cause — a bad argument, a missing file, a service that will not
start — ends in one line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from streams.errors import UserError
from streams.settings import Settings
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
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
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
    return None


if __name__ == "__main__":
    sys.exit(main())
