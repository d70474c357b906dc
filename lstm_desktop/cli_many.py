"""The command line's commands that run many trainings: backtest, search and sweep."""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

from lstm_desktop.cli_args import (
    _add_field,
    add_backtest_args,
    add_data_args,
    add_settings_args,
    backtest_spec,
    data_source,
    data_tickers,
    run_config,
)
from lstm_desktop.core.durations import format_duration
from lstm_desktop.core.errors import BadInput, exit_code_of, failure_text
from lstm_desktop.core.executors.cluster import SECURITY_NOTE
from lstm_desktop.core.executors.cluster_probe import ClusterSpec
from lstm_desktop.core.search.spec import SearchSpec
from lstm_desktop.core.specs import BacktestSpec

EXIT_OK, EXIT_BAD_INPUT, EXIT_STOPPED = 0, 2, 130
COMMAND = {"started": time.monotonic()}  # about when the command started: set as its parser is built
SPACE_HELP = (
    "settings to search, comma-separated: NAME=LOW:HIGH (whole numbers or decimals), NAME=LOW:HIGH:log, "
    "NAME=LOW:HIGH:STEP or NAME=A|B|C; e.g. window=20:200,hidden=16:128,lr=1e-4:1e-2:log,target_mode=price|log_return"
    ". Known: window, hidden, layers, dropout, cell (lstm|gru|rnn), lr, batch_size, target_mode, inputs (column sets "
    "A+B, e.g. inputs=Close|Close+Volume)"
)


def register(sub: Any, add_output_args: Any) -> None:
    COMMAND["started"] = time.monotonic()
    backtest = sub.add_parser(
        "backtest", help="walk-forward backtest: many test periods, each predicted by a model trained before it"
    )
    add_data_args(backtest)
    add_settings_args(backtest)
    add_backtest_args(backtest)
    add_output_args(backtest)
    search = sub.add_parser(
        "search", help="hyperparameter search (Optuna): trials on validation loss; the best scored on test once"
    )
    add_data_args(search)
    add_settings_args(search)
    _add_search_args(search)
    _add_cluster_args(search)
    add_output_args(search)
    sweep = sub.add_parser("sweep", help="the same settings over many tickers, each a run (and a backtest)")
    add_data_args(sweep)
    add_settings_args(sweep)
    _add_sweep_args(sweep)
    _add_cluster_args(sweep)
    add_output_args(sweep)


def _add_search_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("search")
    group.add_argument("--space", required=True, metavar="SPACE", help=SPACE_HELP)
    for field in dataclasses.fields(SearchSpec):
        _add_field(group, SearchSpec, field)
    journal = "the Optuna journal file (default: beside --project, else in the user data folder)"
    group.add_argument("--journal", metavar="FILE", help=journal)
    fresh = "start a new journal: an existing one (even one that cannot be read) is moved aside, kept, not used"
    group.add_argument("--new-study", action="store_true", help=fresh)


def _add_sweep_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sweep and its walk-forward backtests")
    group.add_argument("--backtest", action="store_true", help="also backtest each ticker (with the flags below)")
    for field in dataclasses.fields(BacktestSpec):
        if field.name != "workers":
            _add_field(group, BacktestSpec, field)
    workers = "local worker processes (0: one per core); results do not depend on it; every ticker's run and its "
    group.add_argument("--workers", type=int, default=0, help=workers + "backtest's folds share them")


def _add_cluster_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group('Dask cluster (optional: pip install "lstm-desktop[cluster]")', SECURITY_NOTE)
    where = "run the trainings on the Dask scheduler at tcp://HOST:PORT or tls://HOST:PORT (trusted networks only;"
    where += " 'local': start a Dask cluster here); without it, in local worker processes"
    group.add_argument("--scheduler", metavar="ADDR", help=where)
    group.add_argument("--tls-ca", metavar="FILE", help="the cluster's certificate authority (tls:// addresses)")
    group.add_argument("--tls-cert", metavar="FILE", help="this client's certificate (tls://)")
    group.add_argument("--tls-key", metavar="FILE", help="this client's private key (tls://)")
    for field in dataclasses.fields(ClusterSpec):
        _add_field(group, ClusterSpec, field)


def probe_cluster(args: argparse.Namespace) -> None:
    """Before prices load or a journal opens: a --scheduler where no Dask scheduler answers is exit 3 within the
    connect timeout of the command's start (its start-up counts), not after everything else was prepared."""
    if not args.scheduler or args.scheduler.strip().lower() == "local":
        return
    cluster = ClusterSpec(connect_timeout=args.connect_timeout)
    cluster.validate()
    if not (args.tls_ca or args.tls_cert or args.tls_key):  # with TLS, the executor probes once its files are read
        from lstm_desktop.core.executors.cluster import import_distributed
        from lstm_desktop.core.executors.cluster_checks import check_address
        from lstm_desktop.core.executors.cluster_probe import probe

        address = check_address(args.scheduler, None)
        import_distributed()
        margin = min(2.0, cluster.connect_timeout / 10)  # for what runs before the parser is built and at exit
        spent = time.monotonic() - COMMAND["started"] + margin
        probe(address, None, cluster.connect_timeout, cluster.connect_timeout - spent)


def executor_from(args: argparse.Namespace, threads: int, items: int) -> Any:
    from lstm_desktop.core.executors.choose import executor_for
    from lstm_desktop.core.executors.cluster import TlsFiles

    files = (args.tls_ca, args.tls_cert, args.tls_key)
    if any(files) and not all(files):
        raise BadInput("TLS needs all three: --tls-ca, --tls-cert and --tls-key.")
    tls = TlsFiles(*files) if all(files) else None
    if args.workers < 0:
        raise BadInput(f"--workers must be 0 or more, not {args.workers}.")
    cluster = ClusterSpec(connect_timeout=args.connect_timeout)
    cluster.validate()
    return executor_for(args.workers, threads, args.scheduler, tls, items, cluster.connect_timeout)


def cmd_backtest(
    args: argparse.Namespace, err: Any, ctrl_c_stops: Any, open_for_adding: Any, save_and_print: Any
) -> int:
    from lstm_desktop.cli_text import backtest_text, run_text
    from lstm_desktop.core.backtest.runner import backtest
    from lstm_desktop.core.data.sources import load_prices

    config = run_config(args)
    spec = backtest_spec(args)
    project = open_for_adding(args.project, args.new_project)
    frames = load_prices(config.data)
    with ctrl_c_stops() as stop:
        finished = backtest(
            config, spec, frames, on_event=BacktestLines(args.quiet, err), should_stop=lambda: stop["asked"]
        )
    report = finished.report
    if not args.quiet:
        err(f"backtest took {format_duration(report.backtest.seconds)} with {report.backtest.workers} worker(s)")
    if project is not None:
        project.add(finished)
    text = run_text(report) + "\n" + backtest_text(report.backtest)
    code = save_and_print(project, args.project, report.document(), text, args.json)
    if code != EXIT_OK:
        return code
    return EXIT_OK if report.backtest.complete and report.stopped != "user" else EXIT_STOPPED


class BacktestLines:
    """Progress of the folds on stderr, at most once per finished fold or new epoch line."""

    def __init__(self, quiet: bool, err: Any) -> None:
        self.quiet, self.err, self.last = quiet, err, ""

    def __call__(self, event: Any) -> None:
        from lstm_desktop.core.backtest.runner import BacktestProgress

        if self.quiet or not isinstance(event, BacktestProgress):
            return
        running = ", ".join(f"fold {k} epoch {e}/{n}" for k, (e, n) in sorted(event.running.items()))
        eta = "" if event.eta_seconds != event.eta_seconds else f"; ~{format_duration(event.eta_seconds)} left"
        line = f"folds {event.finished}/{event.folds} finished" + (f"; running {running}" if running else "") + eta
        if line != self.last:
            self.last = line
            self.err(line)


def _quiet_libraries() -> None:
    """Optuna tells every trial on stderr at INFO: this command tells its own lines (or none with --quiet)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _add_runs(project: Any, runs: tuple, best: str | None = None) -> dict[str, str]:
    """Each run into the project (the best, or the last, current); run name -> its id in the project. With a best
    (a search's), only its forecast joins the forecast log."""
    ids = {name: project.add(finished, name, freeze=best is None or name == best).id for name, finished in runs}
    if best is not None:
        project.choose(ids[best])
    return ids


def cmd_search(args: argparse.Namespace, err: Any, ctrl_c_stops: Any, open_for_adding: Any, save_and_print: Any) -> int:
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.runtime import set_threads
    from lstm_desktop.core.search.journal import journal_path
    from lstm_desktop.core.search.runner import search
    from lstm_desktop.core.search.space import parse_space
    from lstm_desktop.core.search.text import SearchLines, search_text

    space = parse_space(args.space)
    spec = SearchSpec(**{f.name: getattr(args, f.name) for f in dataclasses.fields(SearchSpec)})
    spec.validate()
    config = run_config(args)
    probe_cluster(args)
    project = open_for_adding(args.project, args.new_project)
    journal = args.journal or journal_path(_project_path(args.project))
    frames = load_prices(config.data)
    executor = executor_from(args, config.train.threads or 1, spec.batch)
    _quiet_libraries()
    set_threads(config.train.threads or 1)  # the best trial is scored here with the threads its worker had
    with ctrl_c_stops() as stop:
        result = search(config, space, spec, frames, executor=executor, journal=journal,
                        on_event=SearchLines(args.quiet, err), should_stop=lambda: stop["asked"],
                        runs=[run.name for run in project.runs] if project is not None else (),
                        fresh_journal=args.new_study)  # fmt: skip
    report = result.report
    document = {"search": report.document()}
    best = report.best.run if report.best else None
    kept = _keep_and_tell(args, err, save_and_print, project, result, document, document["search"]["trials"],
                          search_text(report), "search", best)  # fmt: skip
    if kept is not None:
        return kept
    if not result.runs:
        first = next((t.error for t in report.trials if t.error), "no trial ran")
        err(f"error: no trial finished ({first})")
        return EXIT_BAD_INPUT
    return EXIT_OK


def _keep_and_tell(
    args: argparse.Namespace, err: Any, save_and_print: Any, project: Any, result: Any, document: dict,
    rows: list[dict], text: str, what: str, best: str | None = None,
) -> int | None:  # fmt: skip
    """Add the finished runs to the project (each row gets its run's id), save and print. The exit code when the
    save failed, the work ended early or the user stopped it; None when it ran to its end."""
    if project is not None and result.runs:
        ids = _add_runs(project, result.runs, best)
        for row in rows:
            row["run_id"] = ids.get(row["run"])
    code = save_and_print(project, args.project, document, text, args.json)
    if code != EXIT_OK:
        return code
    if result.failure is not None:
        not_run = [str(row["ticker"]) for row in rows if str(row.get("error") or "").startswith("not run")]
        unrun = f"; not run: {', '.join(not_run)}" if not_run else ""
        err(f"error: the {what} ended early, keeping what ended before it: {failure_text(result.failure)}{unrun}")
        return exit_code_of(result.failure)
    return EXIT_STOPPED if result.report.stopped else None


def _project_path(path: str | None) -> str | None:
    return None if path is None else (path if path.endswith(".lstmproj") else path + ".lstmproj")


def sweep_data(args: argparse.Namespace) -> Any:
    """The data request of a sweep, from the same data flags as a run's: every ticker they name (--sample NAME and
    each --ticker), or with none every ticker of the CSV file or of the bundled sample."""
    from lstm_desktop.core.specs import DataRequest
    from lstm_desktop.core.sweep.targets import sweep_request

    source = data_source(args)
    tickers = data_tickers(args)
    if source == "yahoo" and not tickers:
        raise BadInput("No tickers: give --ticker T (repeat it), --csv FILE or --sample (NAME).")
    offline = args.offline or source == "sample"
    base = DataRequest(source=source, csv_path=args.csv, start=args.start, end=args.end, offline=offline)
    return sweep_request(base, tickers)


def cmd_sweep(args: argparse.Namespace, err: Any, ctrl_c_stops: Any, open_for_adding: Any, save_and_print: Any) -> int:
    from lstm_desktop.core.backtest.many import item_count
    from lstm_desktop.core.sweep.runner import sweep
    from lstm_desktop.core.sweep.targets import load_targets
    from lstm_desktop.core.sweep.text import SweepLines, sweep_text

    request = sweep_data(args)
    shadow = argparse.Namespace(**{**vars(args), "ticker": [], "csv": None, "sample": "AAPL", "offline": True})
    config = dataclasses.replace(run_config(shadow), data=request)  # the settings' flags, this sweep's data
    spec = backtest_spec(argparse.Namespace(**{**vars(args), "workers": 0})) if args.backtest else None
    probe_cluster(args)
    project = open_for_adding(args.project, args.new_project)
    targets = load_targets(request)
    for target in targets:
        if target.error is not None and not args.quiet:
            err(f"{target.ticker}: {target.error}")
    executor = executor_from(args, config.train.threads or 1, item_count(len(targets), spec))
    with ctrl_c_stops() as stop:
        result = sweep(config, targets, spec, executor=executor, on_event=SweepLines(args.quiet, err),
                       should_stop=lambda: stop["asked"])  # fmt: skip
    report = result.report
    document = report.document()
    kept = _keep_and_tell(args, err, save_and_print, project, result, document, document["sweep"],
                          sweep_text(report), "sweep")  # fmt: skip
    if kept is not None:
        return kept
    if not result.runs and result.errors:
        error = result.errors[0][1]
        return getattr(error, "exit_code", EXIT_BAD_INPUT) or EXIT_BAD_INPUT
    return EXIT_OK
