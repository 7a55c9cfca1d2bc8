"""The ``quant-backtest`` command line: its outputs equal the API's results for the same data,
strategy and settings; its refusals are one line ``quant-backtest: error: <message>`` with the
library's own message and exit code 2. Run as ``python -m quant_backtest`` in a subprocess (the
working tree's package, the backend chosen by ``QUANT_BACKTEST_BACKEND``) and in-process through
``main``."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import quant_backtest
from conftest import ENV_VAR, require_native
from quant_backtest import (
    BacktestError,
    MarketData,
    RustEngine,
    Universe,
    generate_sample_data,
)
from quant_backtest import strategy as qs
from quant_backtest.cli import PRESETS, main, number_text, param_values, sample_csv

# The package the tests import (the working tree's, or the installed wheel in `npm test`).
PYTHON_DIR = Path(quant_backtest.__file__).resolve().parents[1]
SETS = ["--set", "fast=10", "--set", "slow=30", "--set", "commission_rate=0.002"]


def cli(*args: str, backend: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m quant_backtest ARGS`` on the package the tests import."""
    env = {**os.environ, "PYTHONPATH": str(PYTHON_DIR), ENV_VAR: backend}
    return subprocess.run(
        [sys.executable, "-m", "quant_backtest", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def in_process(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def plain(value: Any) -> Any:
    """What the JSON output holds for ``value``: NaN and infinities as null."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def timeless(value: dict) -> dict:
    """A result's dict without its run time (which differs between two runs)."""
    out = dict(value)
    out.pop("execution_time_ms", None)
    if "best" in out:
        out["best"] = timeless(out["best"])
    return out


def csv_rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def assert_trades_csv(text: str, trades: list) -> None:
    header, rows = csv_rows(text)
    assert trades, "a test needs trades to compare"
    assert header == list(trades[0]._fields)
    assert len(rows) == len(trades)
    for row, trade in zip(rows, trades):
        assert row == [number_text(v) for v in trade]
        for cell, value in zip(row, trade):  # and they read back as the values
            if isinstance(value, float):
                assert float(cell) == value


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "AAPL.csv"
    path.write_text(sample_csv(generate_sample_data("AAPL", 500, 100.0, seed=3)), "utf-8")
    return path


def data_of(path: Path) -> MarketData:
    return MarketData.from_csv(path, symbol=path.stem)


# -- sample -----------------------------------------------------------------------------------


def test_sample_writes_what_from_csv_reads_back(backend: str, tmp_path: Path) -> None:
    proc = cli(
        "sample",
        "--symbol",
        "XYZ",
        "--days",
        "300",
        "--seed",
        "7",
        "--start-price",
        "50",
        backend=backend,
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.splitlines()[0] == "date,open,high,low,close,volume"
    want = generate_sample_data("XYZ", 300, 50.0, seed=7)
    assert MarketData.from_csv(proc.stdout, symbol="XYZ") == want
    assert proc.stdout == sample_csv(want)
    # --out writes the same bytes; the defaults are DEMO, 252 days, 100, seed 42
    proc = cli("sample", "--out", "demo.csv", backend=backend, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    text = (tmp_path / "demo.csv").read_bytes().decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert MarketData.from_csv(text, symbol="DEMO") == generate_sample_data(
        "DEMO", 252, 100.0, seed=42
    )


def test_sample_is_the_same_on_both_backends(tmp_path: Path) -> None:
    require_native()
    rust = cli("sample", "--days", "400", backend="rust", cwd=tmp_path)
    python = cli("sample", "--days", "400", backend="python", cwd=tmp_path)
    assert rust.returncode == python.returncode == 0
    assert rust.stdout == python.stdout


def test_numbers_are_written_as_js_writes_them() -> None:
    # String(x) in JS for each (checked with node): the two command lines write the same CSV.
    cases = {
        2830915.0: "2830915",
        100.00535844652887: "100.00535844652887",
        -0.0: "0",
        1e-7: "1e-7",
        0.000001: "0.000001",
        1.5e-6: "0.0000015",
        1e21: "1e+21",
        1e20: "100000000000000000000",
        123456789012345680000.0: "123456789012345680000",
        1.7976931348623157e308: "1.7976931348623157e+308",
        5e-324: "5e-324",
        0.1 + 0.2: "0.30000000000000004",
        math.inf: "Infinity",
        -math.inf: "-Infinity",
        math.nan: "",
        None: "",
        7: "7",
    }
    assert {value: number_text(value) for value in cases} == cases


# -- run ----------------------------------------------------------------------------------------


def test_run_json_equals_the_api(backend: str, engine: RustEngine, data_file: Path) -> None:
    proc = cli(
        "run",
        str(data_file),
        "--strategy",
        "sma_cross",
        *SETS,
        "--set",
        "stop_loss=0.05",
        "--set",
        "fill=close",
        "--json",
        "-",
        backend=backend,
        cwd=data_file.parent,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    got = json.loads(proc.stdout)  # the JSON only: no summary
    want = engine.run_backtest(
        data_of(data_file),
        qs.sma_cross(),
        params={"fast": 10, "slow": 30},
        commission_rate=0.002,
        stop_loss=0.05,
        fill="close",
    )
    assert want.trades
    assert timeless(got) == timeless(plain(want.to_dict()))
    assert got["backend"] == backend
    assert got["params"] == {"fast": 10, "slow": 30}


def test_run_summary_csv_and_a_strategy_file(
    backend: str,
    engine: RustEngine,
    data_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    strategy = qs.ema_cross(8, 21, initial_capital=10_000)
    strategy_file = tmp_path / "ema.json"
    strategy_file.write_text(strategy.to_json(indent=2), "utf-8")
    trades_file = tmp_path / "trades.csv"
    json_file = tmp_path / "out.json"
    code, out, err = in_process(
        capsys,
        "run",
        str(data_file),
        "--strategy",
        str(strategy_file),
        "--csv",
        str(trades_file),
        "--json",
        str(json_file),
    )
    assert (code, err) == (0, "")
    want = engine.run_backtest(data_of(data_file), strategy)
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["symbol"] == "AAPL"  # the file name's stem
    assert lines["bars"] == "500"
    assert lines["total_return"] == number_text(want.total_return)
    assert lines["trade_count"] == str(want.trade_count)
    assert lines["sharpe_ratio"] == (
        "null" if want.sharpe_ratio is None else number_text(want.sharpe_ratio)
    )
    assert_trades_csv(trades_file.read_text("utf-8"), want.trades)
    assert timeless(json.loads(json_file.read_text("utf-8"))) == timeless(plain(want.to_dict()))
    # --symbol names the data
    code, out, _ = in_process(
        capsys, "run", str(data_file), "--strategy", str(strategy_file), "--symbol", "OTHER"
    )
    assert code == 0 and "symbol: OTHER\n" in out


def test_set_binds_placeholders_and_passes_settings(
    backend: str, engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture
) -> None:
    code, out, err = in_process(
        capsys,
        "run",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--set",
        "fast=5",
        "--set",
        "slow=20",
        "--set",
        "size=0.5",
        "--set",
        "initial_capital=10000",
        "--json",
        "-",
    )
    assert (code, err) == (0, "")
    want = engine.run_backtest(
        data_of(data_file),
        qs.sma_cross(),
        params={"fast": 5, "slow": 20},
        size=0.5,
        initial_capital=10000,
    )
    got = json.loads(out)
    assert timeless(got) == timeless(plain(want.to_dict()))
    assert got["equity_curve"][0] == pytest.approx(10000, rel=0.01)


@pytest.mark.parametrize(
    "sets, call",
    [
        (["--set", "comission_rate=0.001"], {"comission_rate": 0.001}),
        (["--set", "fill=tomorrow"], {"fill": "tomorrow"}),
        (["--set", "stop_loss=true"], {"stop_loss": True}),
    ],
)
def test_a_bad_setting_gives_the_librarys_message(
    backend: str,
    engine: RustEngine,
    data_file: Path,
    capsys: pytest.CaptureFixture,
    sets: list,
    call: dict,
) -> None:
    with pytest.raises(BacktestError) as info:
        engine.run_backtest(data_of(data_file), qs.sma_cross(10, 30), **call)
    code, out, err = in_process(
        capsys,
        "run",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--set",
        "fast=10",
        "--set",
        "slow=30",
        *sets,
    )
    assert (code, out, err) == (2, "", f"quant-backtest: error: {info.value}\n")
    if "comission_rate" in call:
        assert "did you mean 'commission_rate'?" in err


def test_an_unbound_placeholder_gives_the_librarys_message(
    backend: str, engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(BacktestError) as info:
        engine.run_backtest(data_of(data_file), qs.sma_cross(), params={"fast": 10})
    code, _, err = in_process(
        capsys, "run", str(data_file), "--strategy", "sma_cross", "--set", "fast=10"
    )
    assert (code, err) == (2, f"quant-backtest: error: {info.value}\n")
    assert "param 'slow'" in err


# -- sweep ------------------------------------------------------------------------------------


def test_sweep_json_equals_optimize_and_sweep(
    backend: str, engine: RustEngine, data_file: Path, tmp_path: Path
) -> None:
    proc = cli(
        "sweep",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5:15:5",
        "--param",
        "slow=20,30,40",
        "--maximize",
        "sortino_ratio",
        "--set",
        "commission_rate=0.002",
        "--json",
        "-",
        "--csv",
        "rows.csv",
        backend=backend,
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    got = json.loads(proc.stdout)
    data = data_of(data_file)
    grid = {"fast": [5, 10, 15], "slow": [20, 30, 40]}
    best_params, best = engine.optimize(
        data, qs.sma_cross(), grid, maximize="sortino_ratio", commission_rate=0.002
    )
    columns = engine.sweep(data, qs.sma_cross(), grid, as_frame=False, commission_rate=0.002)
    rows = [
        {name: plain(columns[name][i]) for name in columns} for i in range(len(columns["fast"]))
    ]
    assert got["maximize"] == "sortino_ratio"
    assert got["best_params"] == best_params
    assert timeless(got["best"]) == timeless(plain(best.to_dict()))
    assert got["rows"] == rows
    assert len(rows) == 9
    header, cells = csv_rows((tmp_path / "rows.csv").read_text("utf-8"))
    assert header == list(columns)
    assert cells == [[number_text(row[name]) for name in header] for row in rows]


@pytest.mark.parametrize("maximize", [None, "buy_and_hold_return", "trade_count"])
def test_sweep_summary_and_a_bound_placeholder(
    backend: str,
    engine: RustEngine,
    data_file: Path,
    capsys: pytest.CaptureFixture,
    maximize: str,
) -> None:
    # buy_and_hold_return is the same on every row: the tie goes to the first, as in optimize.
    flags = [] if maximize is None else ["--maximize", maximize]
    code, out, err = in_process(
        capsys,
        "sweep",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--set",
        "fast=10",
        "--param",
        "slow=20:40:10",
        *flags,
    )
    assert (code, err) == (0, "")
    best_params, best = engine.optimize(
        data_of(data_file),
        qs.sma_cross().bind(fast=10),
        {"slow": [20, 30, 40]},
        maximize=maximize or "sharpe_ratio",
    )
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["combinations"] == "3"
    assert lines["maximize"] == (maximize or "sharpe_ratio")
    assert json.loads(lines["best_params"]) == best_params
    assert lines["total_return"] == number_text(best.total_return)
    if maximize == "buy_and_hold_return":
        assert best_params == {"slow": 20}


def test_sweep_refusals(
    backend: str, engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture
) -> None:
    data = data_of(data_file)
    with pytest.raises(BacktestError) as metric:
        engine.optimize(data, qs.sma_cross(), {"fast": [5], "slow": [20]}, maximize="sharpe")
    code, _, err = in_process(
        capsys,
        "sweep",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--param",
        "slow=20",
        "--maximize",
        "sharpe",
    )
    assert (code, err) == (2, f"quant-backtest: error: {metric.value}\n")
    with pytest.raises(BacktestError) as constraint:
        engine.sweep(data, qs.sma_cross(), {"fast": [30], "slow": [10]})
    code, _, err = in_process(
        capsys,
        "sweep",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=30",
        "--param",
        "slow=10",
    )
    assert (code, err) == (2, f"quant-backtest: error: {constraint.value}\n")
    code, _, err = in_process(
        capsys,
        "sweep",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5:1",
        "--param",
        "slow=20",
    )
    assert (code, err) == (
        2,
        "quant-backtest: error: --param fast=5:1: the range is empty (5 > 1)\n",
    )


class TerminalText(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("command", ["sweep", "walk-forward"])
def test_progress_only_on_a_terminal(
    data_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, command: str
) -> None:
    args = [command, str(data_file), "--strategy", "sma_cross", "--param", "fast=5,10"]
    args += ["--param", "slow=20,30", "--json", "-"]
    if command == "walk-forward":
        args += ["--train", "200", "--test", "100"]
    outputs = []
    for extra, shown in (([], True), (["--no-progress"], False)):
        terminal = TerminalText()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(args + extra) == 0
        assert ("4/4" in terminal.getvalue()) is shown, terminal.getvalue()
        outputs.append(timeless(json.loads(capsys.readouterr().out)))
    assert outputs[0] == outputs[1]
    # not a terminal: no progress (capsys's stderr)
    monkeypatch.undo()
    assert main(args) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "spec, values",
    [
        ("5:8", [5, 6, 7, 8]),
        ("5:15:5", [5, 10, 15]),
        ("5:16:5", [5, 10, 15]),
        ("-2:2:2", [-2, 0, 2]),
        ("7:7", [7]),
        ("1.5,2,2.5", [1.5, 2, 2.5]),
        ("10", [10]),
        ("0.25", [0.25]),
    ],
)
def test_param_specs(spec: str, values: list) -> None:
    got = param_values(spec)
    assert got == values
    assert [type(v) for v in got] == [type(v) for v in values]


@pytest.mark.parametrize(
    "item, message",
    [
        ("fast=", "--param fast=: an empty SPEC"),
        ("fast=1:x", "--param fast=1:x: a range's bounds and step must be integers"),
        ("fast=1.5:3", "--param fast=1.5:3: a range's bounds and step must be integers"),
        ("fast=1:5:0", "--param fast=1:5:0: the step must be > 0, got 0"),
        ("fast=1:2:3:4", "--param fast=1:2:3:4: a range is a:b or a:b:step"),
        ("fast=1,,2", "--param fast=1,,2: an empty value in the list"),
        ("fast", "--param fast: expected NAME=SPEC"),
    ],
)
def test_bad_param_specs(
    data_file: Path, capsys: pytest.CaptureFixture, item: str, message: str
) -> None:
    code, out, err = in_process(
        capsys, "sweep", str(data_file), "--strategy", "sma_cross", "--param", item
    )
    assert (code, out, err) == (2, "", f"quant-backtest: error: {message}\n")


# -- walk-forward -----------------------------------------------------------------------------


def test_walk_forward_json_equals_the_api(
    backend: str, engine: RustEngine, data_file: Path, tmp_path: Path
) -> None:
    proc = cli(
        "walk-forward",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5:15:5",
        "--param",
        "slow=20,30",
        "--train",
        "150",
        "--test",
        "50",
        "--step",
        "60",
        "--anchored",
        "--maximize",
        "total_return",
        "--set",
        "commission_rate=0.002",
        "--json",
        "-",
        "--csv",
        "trades.csv",
        backend=backend,
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    want = engine.walk_forward(
        data_of(data_file),
        qs.sma_cross(),
        {"fast": [5, 10, 15], "slow": [20, 30]},
        150,
        50,
        step=60,
        anchored=True,
        maximize="total_return",
        commission_rate=0.002,
    )
    got = json.loads(proc.stdout)
    assert timeless(got) == timeless(plain(want.to_dict()))
    assert len(got["windows"]) == len(want.rows) > 1
    assert_trades_csv((tmp_path / "trades.csv").read_text("utf-8"), want.trades)


def test_walk_forward_summary(
    backend: str, engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture
) -> None:
    code, out, err = in_process(
        capsys,
        "walk-forward",
        str(data_file),
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5,10",
        "--param",
        "slow=20:30:10",
        "--train",
        "200",
        "--test",
        "100",
        "--no-progress",
    )
    assert (code, err) == (0, "")
    want = engine.walk_forward(
        data_of(data_file), qs.sma_cross(), {"fast": [5, 10], "slow": [20, 30]}, 200, 100
    )
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["windows"] == str(len(want.rows)) == "3"
    assert lines["combinations"] == "4"
    assert lines["total_return"] == number_text(want.total_return)


# -- portfolio --------------------------------------------------------------------------------


def test_portfolio_json_equals_the_api(backend: str, engine: RustEngine, tmp_path: Path) -> None:
    paths = []
    for symbol, seed in (("AAA", 1), ("BBB", 2), ("CCC", 3)):
        path = tmp_path / f"{symbol}.csv"
        path.write_text(sample_csv(generate_sample_data(symbol, 300 + seed * 50, 80.0, seed=seed)))
        paths.append(path)
    proc = cli(
        "portfolio",
        *map(str, paths),
        "--strategy",
        "sma_cross",
        *SETS,
        "--set",
        "max_positions=2",
        "--json",
        "-",
        "--csv",
        "trades.csv",
        backend=backend,
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    universe = Universe([data_of(p) for p in paths])
    want = engine.run_portfolio(
        universe,
        qs.sma_cross(),
        params={"fast": 10, "slow": 30},
        commission_rate=0.002,
        max_positions=2,
    )
    got = json.loads(proc.stdout)
    assert timeless(got) == timeless(plain(want.to_dict()))
    assert [a["symbol"] for a in got["assets"]] == ["AAA", "BBB", "CCC"]
    assert_trades_csv((tmp_path / "trades.csv").read_text("utf-8"), want.trades)
    assert csv_rows((tmp_path / "trades.csv").read_text("utf-8"))[0][0] == "symbol"


# -- errors and help --------------------------------------------------------------------------


def test_a_bad_csv_is_one_line_with_the_librarys_message(backend: str, data_file: Path) -> None:
    lines = data_file.read_text("utf-8").splitlines()
    cells = lines[4].split(",")  # data row 3
    cells[4] = "abc"
    lines[4] = ",".join(cells)
    data_file.write_text("\n".join(lines) + "\n", "utf-8")
    proc = cli(
        "run",
        str(data_file),
        "--strategy",
        "sma_cross",
        *SETS,
        backend=backend,
        cwd=data_file.parent,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "quant-backtest: error: close at row 3 must be a number, got 'abc'\n"


def test_a_bad_strategy_file_is_one_line_with_the_librarys_message(
    data_file: Path, tmp_path: Path
) -> None:
    text = json.dumps({"entry": {"crosses_above": [{"indicator": "smaa", "period": 10}, "close"]}})
    (tmp_path / "bad.json").write_text(text, "utf-8")
    with pytest.raises(BacktestError) as info:
        qs.Strategy.from_json(text)
    assert "smaa" in str(info.value)
    proc = cli("run", str(data_file), "--strategy", "bad.json", backend="python", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"quant-backtest: error: {info.value}\n"


def test_neither_a_file_nor_a_preset(data_file: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, err = in_process(capsys, "run", str(data_file), "--strategy", "sma_crosss")
    assert code == 2
    assert err == (
        "quant-backtest: error: strategy 'sma_crosss' is neither a file nor a preset (presets: "
        "sma_cross, ema_cross, rsi_reversion, macd_cross, bollinger_reversion, donchian_breakout)\n"
    )


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_runs_with_its_defaults(
    backend: str, engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture, preset: str
) -> None:
    strategy = getattr(qs, preset)()
    sets = [f"--set={name}={value}" for name, value in zip(strategy.params, (10, 30))]
    code, out, err = in_process(
        capsys, "run", str(data_file), "--strategy", preset, *sets, "--json", "-"
    )
    assert (code, err) == (0, "")
    params = dict(zip(strategy.params, (10, 30)))
    want = engine.run_backtest(data_of(data_file), strategy, params=params or None)
    assert timeless(json.loads(out)) == timeless(plain(want.to_dict()))


def test_a_missing_file(tmp_path: Path) -> None:
    proc = cli("run", "missing.csv", "--strategy", "sma_cross", backend="python", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "quant-backtest: error: cannot read 'missing.csv': no such file\n"


def test_an_unknown_flag_command_or_none(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proc = cli("run", "x.csv", "--strategy", "sma_cross", "--bogus", backend="python", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("usage: quant-backtest run ")
    assert proc.stderr.endswith("quant-backtest: error: unrecognized arguments: --bogus\n")
    assert "Traceback" not in proc.stderr
    for args in (
        ["frobnicate"],
        [],
        ["--bogus"],
        ["sweep", "x.csv", "--strategy", "sma_cross"],
        ["walk-forward", "x.csv", "--strategy", "s", "--param", "a=1", "--train", "x"],
        ["run", "x.csv", "--strat", "sma_cross"],
    ):
        code, out, err = in_process(capsys, *args)
        assert (code, out) == (2, ""), args
        assert err.startswith("usage: quant-backtest"), args
        assert err.splitlines()[-1].startswith("quant-backtest: error: "), args


HELP = {
    None: ["run", "sweep", "walk-forward", "portfolio", "sample"],
    "run": ["--strategy", "--symbol", "--set", "--json", "--csv", "--report"],
    "sweep": [
        "--strategy",
        "--param",
        "--maximize",
        "--set",
        "--json",
        "--csv",
        "--report",
        "--no-progress",
    ],
    "walk-forward": [
        "--strategy",
        "--param",
        "--maximize",
        "--train",
        "--test",
        "--step",
        "--anchored",
        "--set",
        "--json",
        "--csv",
        "--report",
        "--no-progress",
    ],
    "portfolio": ["--strategy", "--set", "--json", "--csv", "--report"],
    "sample": ["--symbol", "--days", "--start-price", "--seed", "--out"],
}


@pytest.mark.parametrize("command", list(HELP), ids=lambda c: c or "top")
def test_help(command: str, capsys: pytest.CaptureFixture) -> None:
    for flag in ("-h", "--help"):
        args = [flag] if command is None else [command, flag]
        code, out, err = in_process(capsys, *args)
        assert (code, err) == (0, "")
        assert out.startswith("usage: quant-backtest")
        for name in HELP[command]:
            assert f"  {name}" in out, (command, name)
        for name in HELP[command]:
            if name.startswith("--"):  # one line per flag, its help on it
                line = next(line for line in out.splitlines() if line.lstrip().startswith(name))
                assert len(line.split()) > 2, line


def test_the_console_script_is_declared_and_installed() -> None:
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '[project.scripts]\nquant-backtest = "quant_backtest.cli:main"' in text
    # The script pip wrote beside this Python (the setup installs the wheel in .venv).
    script = Path(sys.executable).parent / "quant-backtest"
    proc = subprocess.run([str(script), "sample", "--days", "3"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("date,open,high,low,close,volume\n")
    assert len(proc.stdout.splitlines()) == 4


def test_report_writes_the_apis_report(
    engine: RustEngine, data_file: Path, capsys: pytest.CaptureFixture
) -> None:
    from quant_backtest.report import report_document

    out = data_file.parent / "run.html"
    code, _, err = in_process(
        capsys, "run", str(data_file), "--strategy", "sma_cross", *SETS, "--report", str(out)
    )
    assert (code, err) == (0, "")
    text = out.read_text("utf-8")
    found = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S
    )
    assert found is not None
    data = data_of(data_file)
    want = engine.run_backtest(
        data, qs.sma_cross(), params={"fast": 10, "slow": 30}, commission_rate=0.002
    )
    doc = report_document(want, title="sma_cross on AAPL")
    assert json.loads(found.group(1)) == json.loads(json.dumps(doc))
    # The sweep's report: every row's heatmap, and the best run.
    code, _, err = in_process(
        capsys, "sweep", str(data_file), "--strategy", "sma_cross", "--param", "fast=5:15:5",
        "--param", "slow=30,40", "--no-progress", "--report", str(out),
    )  # fmt: skip
    assert (code, err) == (0, "")
    found = re.search(r'id="report-data">(.*?)</script>', out.read_text("utf-8"), re.S)
    assert found is not None
    sweep = json.loads(found.group(1))
    assert sweep["kind"] == "sweep" and len(sweep["sweep"]["columns"]["fast"]) == 6
    assert sweep["run"]["params"] == sweep["sweep"]["best_params"]
    # A report that cannot be written: one line, exit 2.
    code, _, err = in_process(
        capsys,
        "run",
        str(data_file),
        "--strategy",
        "sma_cross",
        *SETS,
        "--report",
        "no/such/r.html",
    )
    assert (code, err) == (
        2,
        "quant-backtest: error: cannot write 'no/such/r.html': no such file\n",
    )
