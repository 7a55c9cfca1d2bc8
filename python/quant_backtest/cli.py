"""The ``quant-backtest`` command line: ``run``, ``sweep``, ``walk-forward``, ``portfolio`` and
``sample`` on CSV files, through the public API. The JS package's ``quant-backtest`` takes the
same commands and flags and writes the same files and messages.

Every refusal (a library ``BacktestError``, a bad flag value, a file that cannot be read) is
one line on stderr, ``quant-backtest: error: <message>``, and exit code 2; argparse's own
refusals (an unknown command or flag) print the usage first.
"""

from __future__ import annotations

import argparse
import errno
import inspect
import json
import math
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from . import strategy as qs
from ._data import MarketData
from ._engine import RustEngine, best_row, check_metric, create_engine, generate_sample_data
from ._errors import BacktestError
from ._portfolio_result import PortfolioTrade
from ._result import METRIC_NAMES, Trade
from .universe import Universe

PROG = "quant-backtest"
PRESETS = (
    "sma_cross",
    "ema_cross",
    "rsi_reversion",
    "macd_cross",
    "bollinger_reversion",
    "donchian_breakout",
)
SAMPLE_COLUMNS = ("date", "open", "high", "low", "close", "volume")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class CliError(Exception):
    """A refusal of the command line itself (its message is printed as is)."""


class _HelpFormatter(argparse.HelpFormatter):
    """No wrapping: the usage on one line and one line per flag, whatever the terminal."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=1000)


class _Parser(argparse.ArgumentParser):
    """argparse with this program's error line (``quant-backtest: error: ...``) on every
    command, after the usage, and no abbreviated flags (as in the JS command line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(2, f"{PROG}: error: {message}\n")


# -- values -----------------------------------------------------------------------------------


def _json_or_text(text: str) -> Any:
    """``text`` JSON-parsed when it is JSON (JS's JSON.parse: no NaN or Infinity), else as is."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        return text


def number_text(value: Any) -> str:
    """A number as JS's ``String(number)`` writes it (the shortest round-trip digits; ``1e-7``,
    ``100``, ``Infinity``), so that both command lines write the same CSV; NaN and None are
    empty; other values as ``str``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "item"):  # a numpy scalar (numpy's float64 repr is not a float's)
        return number_text(value.item())
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-trip digits, as JS does; only the layout differs.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent += len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # the value is 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _summary_text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return number_text(value)


# -- files ------------------------------------------------------------------------------------


def _os_reason(error: OSError) -> str:
    reasons = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied",
        errno.EISDIR: "is a directory",
        errno.ENOTDIR: "not a directory",
    }
    return reasons.get(error.errno or 0, (error.strerror or str(error)).lower())


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except OSError as error:
        raise CliError(f"cannot read '{path}': {_os_reason(error)}") from None
    except UnicodeDecodeError:
        raise CliError(f"cannot read '{path}': not UTF-8 text") from None


def _write(path: str, text: str) -> None:
    """``text`` to ``path``, or to stdout for ``-``."""
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as error:
        raise CliError(f"cannot write '{path}': {_os_reason(error)}") from None


def _csv_cell(value: Any) -> str:
    text = number_text(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with ``header``: LF line ends, a final LF, fields quoted only where needed."""
    lines = [",".join(map(_csv_cell, header))]
    lines.extend(",".join(map(_csv_cell, row)) for row in rows)
    return "\n".join(lines) + "\n"


def _json_text(value: Any) -> str:
    return json.dumps(_plain(value), indent=2, allow_nan=False) + "\n"


def _trades_csv(trades: Sequence[Any], kind: type = Trade) -> str:
    """One row per trade; the header is the fields of ``kind`` (``Trade`` or
    ``PortfolioTrade``)."""
    return csv_text(kind._fields, (tuple(t) for t in trades))


def load_data(path: str, symbol: Optional[str] = None) -> MarketData:
    """The bars of CSV file ``path``; the symbol is ``symbol``, else the file name's stem."""
    text = _read_text(path)
    return MarketData.from_csv(text, symbol=Path(path).stem if symbol is None else symbol)


def load_strategy(spec: str) -> qs.Strategy:
    """A strategy JSON file, else a preset by name (its placeholders left as placeholders)."""
    if os.path.isfile(spec):
        return qs.Strategy.from_json(_read_text(spec))
    if spec in PRESETS:
        return getattr(qs, spec)()
    raise CliError(
        f"strategy '{spec}' is neither a file nor a preset (presets: {', '.join(PRESETS)})"
    )


# -- flags ------------------------------------------------------------------------------------


def _key_value(flag: str, item: str, what: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise CliError(f"{flag} {item}: expected {what}")
    return key, value


def parse_sets(items: Sequence[str], placeholders: Sequence[str]) -> tuple[dict, dict]:
    """``--set KEY=VALUE`` items as (values for the strategy's placeholders, engine
    settings); each value JSON-parsed when it is JSON, else the text."""
    bound: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    for item in items:
        key, text = _key_value("--set", item, "KEY=VALUE")
        (bound if key in placeholders else settings)[key] = _json_or_text(text)
    return bound, settings


def param_values(spec: str) -> list:
    """The values of one ``--param`` SPEC: ``a:b``, ``a:b:step``, ``x,y,z`` or ``x``."""
    if spec == "":
        raise ValueError("an empty SPEC")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) > 3:
            raise ValueError("a range is a:b or a:b:step")
        if not all(_INTEGER.fullmatch(p.strip()) for p in parts):
            raise ValueError("a range's bounds and step must be integers")
        start, stop, *rest = (int(p) for p in parts)
        step = rest[0] if rest else 1
        if step <= 0:
            raise ValueError(f"the step must be > 0, got {step}")
        if start > stop:
            raise ValueError(f"the range is empty ({start} > {stop})")
        return list(range(start, stop + 1, step))
    items = spec.split(",")
    if any(item.strip() == "" for item in items):
        raise ValueError("an empty value in the list")
    return [_json_or_text(item) for item in items]


def parse_params(items: Sequence[str]) -> dict[str, list]:
    """``--param NAME=SPEC`` items as the grid dict of ``engine.sweep`` (in flag order)."""
    grid: dict[str, list] = {}
    for item in items:
        name, spec = _key_value("--param", item, "NAME=SPEC")
        if name in grid:
            raise CliError(f"--param {name} is given twice")
        try:
            grid[name] = param_values(spec)
        except ValueError as error:
            raise CliError(f"--param {item}: {error}") from None
    return grid


def _check_settings(call: Callable, settings: dict) -> None:
    """Settings named like an argument of ``call`` itself (``params``, ``max_workers``, ...)
    cannot travel as settings: refused here, where Python would raise a TypeError."""
    own = {
        name
        for name, p in inspect.signature(call).parameters.items()
        if p.kind is not inspect.Parameter.VAR_KEYWORD
    }
    for key in settings:
        if key in own:
            raise CliError(f"--set {key}: not a setting")


def _progress(args: argparse.Namespace) -> Optional[bool]:
    """A progress bar (the library's: tqdm, else a counter) only on a terminal."""
    if args.no_progress or not sys.stderr.isatty():
        return None
    return True


# -- output -----------------------------------------------------------------------------------


def _summary(lines: dict[str, Any]) -> str:
    return "".join(f"{key}: {_summary_text(value)}\n" for key, value in lines.items())


def _metrics(result: Any) -> dict[str, Any]:
    return {name: getattr(result, name) for name in METRIC_NAMES}


def _outputs(
    args: argparse.Namespace,
    summary: dict[str, Any],
    json_value: Callable[[], Any],
    csv: Callable[[], str],
) -> None:
    """The summary on stdout (unless ``-`` sends a file there), then ``--json`` and
    ``--csv``."""
    if "-" not in (args.json, args.csv):
        sys.stdout.write(_summary(summary))
    if args.json is not None:
        _write(args.json, _json_text(json_value()))
    if args.csv is not None:
        _write(args.csv, csv())


def _report(
    args: argparse.Namespace, result: Any, data: Any, strategy: Any, title: str, **options: Any
) -> None:
    if args.report is None:
        return
    from .report import report_html

    _write(args.report, report_html(result, data, strategy, title, **options))


def _title(args: argparse.Namespace, what: str) -> str:
    return f"{Path(args.strategy).stem} on {what}"


# -- commands ---------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace, engine: RustEngine) -> None:
    data = load_data(args.data, args.symbol)
    strategy = load_strategy(args.strategy)
    bound, settings = parse_sets(args.set, strategy.params)
    _check_settings(engine.run_backtest, settings)
    result = engine.run_backtest(data, strategy, params=bound or None, **settings)
    _outputs(
        args,
        {"symbol": data.symbol, "bars": len(data), **_metrics(result)},
        result.to_dict,
        lambda: _trades_csv(result.trades),
    )
    _report(args, result, data, strategy, _title(args, data.symbol))


def cmd_sweep(args: argparse.Namespace, engine: RustEngine) -> None:
    data = load_data(args.data)
    strategy = load_strategy(args.strategy)
    grid = parse_params(args.param)
    bound, settings = parse_sets(args.set, strategy.params)
    _check_settings(engine.sweep, settings)
    check_metric(args.maximize)
    strategy = strategy.bind(**bound) if bound else strategy
    columns = engine.sweep(
        data, strategy, grid, as_frame=False, progress=_progress(args), **settings
    )
    names = list(columns)
    count = len(columns[names[0]])
    rows = [{name: _plain(columns[name][i]) for name in names} for i in range(count)]
    # engine.optimize's choice: the largest metric, NaN never wins, ties to the first row.
    best = best_row(columns[args.maximize])
    best_params = {name: rows[best][name] for name in grid}
    best = engine.run_backtest(data, strategy, params=best_params, **settings)
    _outputs(
        args,
        {
            "combinations": count,
            "maximize": args.maximize,
            "best_params": best_params,
            **_metrics(best),
        },
        lambda: {
            "maximize": args.maximize,
            "best_params": best_params,
            "best": best.to_dict(),
            "rows": rows,
        },
        lambda: csv_text(names, ([row[n] for n in names] for row in rows)),
    )
    _report(
        args, columns, data, strategy, _title(args, data.symbol), best=best, maximize=args.maximize
    )


def cmd_walk_forward(args: argparse.Namespace, engine: RustEngine) -> None:
    data = load_data(args.data)
    strategy = load_strategy(args.strategy)
    grid = parse_params(args.param)
    bound, settings = parse_sets(args.set, strategy.params)
    _check_settings(engine.walk_forward, settings)
    strategy = strategy.bind(**bound) if bound else strategy
    result = engine.walk_forward(
        data,
        strategy,
        grid,
        args.train,
        args.test,
        step=args.step,
        anchored=args.anchored,
        maximize=args.maximize,
        progress=_progress(args),
        **settings,
    )
    _outputs(
        args,
        {"windows": len(result.rows), "combinations": result.combinations, **result.metrics},
        result.to_dict,
        lambda: _trades_csv(result.trades),
    )
    _report(args, result, data, strategy, _title(args, data.symbol))


def cmd_portfolio(args: argparse.Namespace, engine: RustEngine) -> None:
    universe = Universe([load_data(path) for path in args.data])
    strategy = load_strategy(args.strategy)
    bound, settings = parse_sets(args.set, strategy.params)
    _check_settings(engine.run_portfolio, settings)
    result = engine.run_portfolio(universe, strategy, params=bound or None, **settings)
    _outputs(
        args,
        {"assets": len(universe), "bars": len(universe.dates), **result.metrics},
        result.to_dict,
        lambda: _trades_csv(result.trades, PortfolioTrade),
    )
    _report(args, result, universe, strategy, _title(args, ", ".join(universe.symbols)))


def sample_csv(data: MarketData) -> str:
    """Bars as the CSV that ``sample`` writes (and ``MarketData.from_csv`` reads)."""
    columns = (data.dates, data.open, data.high, data.low, data.close, data.volume)
    return csv_text(SAMPLE_COLUMNS, zip(*columns))


def cmd_sample(args: argparse.Namespace, engine: RustEngine) -> None:
    data = generate_sample_data(args.symbol, args.days, args.start_price, seed=args.seed)
    _write("-" if args.out is None else args.out, sample_csv(data))


# -- the parser -------------------------------------------------------------------------------


def _data_command(
    commands: Any, name: str, help_text: str, data_help: str, many: bool = False
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    if many:
        parser.add_argument("data", nargs="+", metavar="DATA.csv", help=data_help)
    else:
        parser.add_argument("data", metavar="DATA.csv", help=data_help)
    parser.add_argument(
        "--strategy",
        required=True,
        metavar="S",
        help=f"a strategy JSON file or a preset ({', '.join(PRESETS)})",
    )
    return parser


def _common_flags(parser: argparse.ArgumentParser, csv_help: str) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a strategy placeholder or pass an engine setting (repeatable)",
    )
    parser.add_argument(
        "--json", metavar="OUT", help="write the result as JSON to OUT ('-' for stdout)"
    )
    parser.add_argument("--csv", metavar="FILE", help=csv_help)
    parser.add_argument(
        "--report", metavar="OUT.html", help="write the standalone HTML report to OUT.html"
    )


def _grid_flags(parser: argparse.ArgumentParser, maximize_help: str) -> None:
    parser.add_argument(
        "--param",
        action="append",
        required=True,
        metavar="NAME=SPEC",
        help="values of a placeholder: a:b, a:b:step, x,y,z or x (repeatable)",
    )
    parser.add_argument("--maximize", default="sharpe_ratio", metavar="METRIC", help=maximize_help)


def _no_progress_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Backtest trading strategies on CSV market data.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = _data_command(commands, "run", "backtest a strategy on one CSV file", "the bars")
    run.add_argument("--symbol", metavar="SYM", help="the symbol (default: the file name's stem)")
    _common_flags(run, "write the trades as CSV to FILE")
    run.set_defaults(handler=cmd_run)

    sweep = _data_command(commands, "sweep", "backtest every combination of params", "the bars")
    _grid_flags(sweep, "the metric that picks the best row (default: sharpe_ratio)")
    _common_flags(sweep, "write the sweep table as CSV to FILE")
    _no_progress_flag(sweep)
    sweep.set_defaults(handler=cmd_sweep)

    walk = _data_command(
        commands, "walk-forward", "walk-forward optimisation of params", "the bars"
    )
    _grid_flags(walk, "the metric that picks each window's params (default: sharpe_ratio)")
    walk.add_argument("--train", type=int, required=True, metavar="N", help="train bars")
    walk.add_argument("--test", type=int, required=True, metavar="N", help="test bars")
    walk.add_argument("--step", type=int, metavar="N", help="bars between windows (default: test)")
    walk.add_argument(
        "--anchored", action="store_true", help="every train window starts at the first bar"
    )
    _common_flags(walk, "write the out-of-sample trades as CSV to FILE")
    _no_progress_flag(walk)
    walk.set_defaults(handler=cmd_walk_forward)

    portfolio = _data_command(
        commands,
        "portfolio",
        "backtest one strategy on several assets with one cash account",
        "one file per asset, its stem is the symbol",
        many=True,
    )
    _common_flags(portfolio, "write the trades as CSV to FILE")
    portfolio.set_defaults(handler=cmd_portfolio)

    sample = commands.add_parser(
        "sample",
        help="write sample bars as CSV",
        description="write sample bars as CSV",
    )
    sample.add_argument(
        "--symbol", default="DEMO", metavar="SYM", help="the symbol (default: DEMO)"
    )
    sample.add_argument("--days", type=int, default=252, metavar="N", help="bars (default: 252)")
    sample.add_argument(
        "--start-price", type=float, default=100.0, metavar="P", help="first price (default: 100)"
    )
    sample.add_argument(
        "--seed", type=int, default=42, metavar="N", help="random seed (default: 42)"
    )
    sample.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")
    sample.set_defaults(handler=cmd_sample)
    parser.commands = commands.choices  # type: ignore[attr-defined]  # name -> its parser
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # refused by the command's parser, with the command's usage
            command = parser.commands.get(args.command, parser)  # type: ignore[attr-defined]
            command.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exit_:  # --help (0) or a usage error (2), already printed
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.command is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"{PROG}: error: a command is required\n")
        return 2
    engine = create_engine()
    try:
        args.handler(args, engine)
    except (BacktestError, CliError) as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
        return 2
    except BrokenPipeError:  # stdout closed early (`... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        engine.close()
    return 0
