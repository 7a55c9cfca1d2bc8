"""``quant_backtest.indicators`` on both backends (docs/CONVENTIONS.md, "Indicators").

* Batch outputs on each backend equal the pure-Python batch bit for bit (NaN at the same
  places); the ``rust`` run must really call the native ``indicator`` (a spy counts the calls),
  so a silent fallback fails.
* Streaming: after k updates a state has returned exactly the batch output's first k values.
* Inputs: lists, tuples, ranges, numpy arrays (float and int), pandas Series (index kept,
  named); leading NaNs skipped; first valid indices; periods 1, == len, > len.
* Bad arguments: message and ``code`` for functions and classes.
"""

from __future__ import annotations

import math
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

from quant_backtest import BacktestError, _backend, generate_sample_data
from quant_backtest import indicators as ta
from quant_backtest._fallback import indicators as fb

NAN = math.nan


def bits(values: Any) -> list[Any]:
    """Each value's IEEE bits (all NaNs alike), for exact comparisons."""
    return ["nan" if v != v else struct.pack("<d", float(v)) for v in values]


def assert_same_bits(got: Any, want: Any, what: str = "") -> None:
    got, want = list(got), list(want)
    assert len(got) == len(want), what
    g, w = bits(got), bits(want)
    if g != w:
        i = next(i for i in range(len(g)) if g[i] != w[i])
        raise AssertionError(f"{what}: first difference at {i}: {got[i]!r} != {want[i]!r}")


@pytest.fixture(scope="module")
def bars() -> dict[str, list[float]]:
    data = generate_sample_data("IND", 700, 100.0, 11)
    close = [float(v) for v in data.close]
    close[300:330] = [close[300]] * 30  # a flat stretch: equal windows, zero changes
    return {
        "close": close,
        "high": [max(float(h), c) for h, c in zip(data.high, close)],
        "low": [min(float(lo), c) for lo, c in zip(data.low, close)],
        "volume": [float(v) for v in data.volume],
    }


# name, params (as the public function takes them), the pure-Python batch function
CASES: list[tuple[str, dict[str, Any]]] = [
    ("sma", {"period": 1}),
    ("sma", {"period": 10}),
    ("sma", {"period": 200}),
    ("ema", {"period": 1}),
    ("ema", {"period": 12}),
    ("wma", {"period": 1}),
    ("wma", {"period": 20}),
    ("rsi", {"period": 1}),
    ("rsi", {"period": 14}),
    ("macd", {"fast": 12, "slow": 26, "signal": 9}),
    ("macd", {"fast": 1, "slow": 2, "signal": 1}),
    ("bbands", {"period": 20, "k": 2.0}),
    ("bbands", {"period": 1, "k": 0.0}),
    ("atr", {"period": 1}),
    ("atr", {"period": 14}),
    ("stddev", {"period": 1}),
    ("stddev", {"period": 5}),
    ("roc", {"period": 10}),
    ("highest", {"period": 1}),
    ("highest", {"period": 20}),
    ("lowest", {"period": 55}),
]
CASE_IDS = [f"{name}-{'-'.join(map(str, p.values()))}" for name, p in CASES]

FIRST_VALID = {
    "sma": lambda p: p["period"] - 1,
    "ema": lambda p: p["period"] - 1,
    "wma": lambda p: p["period"] - 1,
    "rsi": lambda p: p["period"],
    "macd": lambda p: p["slow"] - 1 + p["signal"] - 1,
    "bbands": lambda p: p["period"] - 1,
    "atr": lambda p: p["period"],
    "stddev": lambda p: p["period"] - 1,
    "roc": lambda p: p["period"],
    "highest": lambda p: p["period"] - 1,
    "lowest": lambda p: p["period"] - 1,
}

STREAMS: dict[str, Callable[..., Any]] = {
    "sma": ta.SMA,
    "ema": ta.EMA,
    "wma": ta.WMA,
    "rsi": ta.RSI,
    "macd": ta.MACD,
    "bbands": ta.BBANDS,
    "atr": ta.ATR,
    "stddev": ta.STDDEV,
    "roc": ta.ROC,
    "highest": ta.HIGHEST,
    "lowest": ta.LOWEST,
}


def inputs_of(name: str, bars: dict[str, list[float]], source: str = "close") -> list[Any]:
    if name == "atr":
        return [bars["high"], bars["low"], bars["close"]]
    return [bars[source]]


def outputs(result: Any) -> list[Any]:
    """A batch result as a list of output series."""
    return list(result) if isinstance(result, tuple) else [result]


def public(name: str, inputs: list[Any], params: dict[str, Any]) -> list[Any]:
    return outputs(getattr(ta, name)(*inputs, **params))


def pure_python(name: str, inputs: list[Any], params: dict[str, Any]) -> list[Any]:
    return outputs(getattr(fb, name)(*inputs, *params.values()))


@pytest.fixture
def native_calls(backend: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the native ``indicator`` was called with (a spy around the real one). On
    the python backend a call would be an error."""
    calls: list[str] = []
    real = _backend.engine_module()

    class Spy:
        def __getattr__(self, attribute: str) -> Any:
            return getattr(real, attribute)

        def indicator(self, name: str, inputs: list, params: dict) -> Any:
            if backend != "rust":
                raise AssertionError("the python backend called the native engine")
            calls.append(name)
            return real.indicator(name, inputs, params)  # AttributeError: not built yet

    if real is not None:
        monkeypatch.setattr(_backend, "engine_module", lambda: Spy())
    return calls


# -- batch on each backend == pure Python, bit for bit ------------------------------------------


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_batch_equals_pure_python_bitwise(
    backend: str, native_calls: list[str], bars: dict, name: str, params: dict
) -> None:
    for source in ("close", "volume") if name != "atr" else ("close",):
        inputs = inputs_of(name, bars, source)
        got = public(name, inputs, params)
        want = pure_python(name, inputs, params)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert isinstance(g, np.ndarray) and g.dtype == np.float64
            assert_same_bits(g, w, f"{name} {params} on {source} ({backend})")
    expected_calls = [name] * (1 if name == "atr" else 2)
    assert native_calls == (expected_calls if backend == "rust" else [])


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_first_valid_index(backend: str, bars: dict, name: str, params: dict) -> None:
    first = FIRST_VALID[name](params)
    for out in public(name, inputs_of(name, bars), params):
        assert all(math.isnan(v) for v in out[:first])
        assert not any(math.isnan(v) for v in out[first:])


def test_leading_nans_are_skipped(backend: str, bars: dict) -> None:
    close = bars["close"][:200]
    led = [NAN] * 7 + close
    for name, params in CASES:
        if name == "atr":
            h, lo, c = (bars[k][:200] for k in ("high", "low", "close"))
            shifted = public(name, [[NAN] * 7 + h, [NAN] * 7 + lo, [NAN] * 7 + c], params)
            plain = public(name, [h, lo, c], params)
        else:
            shifted = public(name, [led], params)
            plain = public(name, [close], params)
        for s, p in zip(shifted, plain):
            assert_same_bits(s[7:], p, f"{name} {params}")
            assert all(math.isnan(v) for v in s[:7])


@pytest.mark.parametrize("name", sorted(FIRST_VALID))
def test_short_inputs(backend: str, bars: dict, name: str) -> None:
    """period == len gives one value (or none when the first valid index is period);
    period > len gives all NaN; an empty input gives an empty output."""
    n = 30
    short = {k: v[:n] for k, v in bars.items()}
    big = {"fast": n - 1, "slow": n, "signal": 1} if name == "macd" else {"period": n}
    first = FIRST_VALID[name](big)
    for out in public(name, inputs_of(name, short), big):
        assert len(out) == n
        assert sum(not math.isnan(v) for v in out) == max(0, n - first)
    bigger = {"fast": 1, "slow": n + 1, "signal": 1} if name == "macd" else {"period": n + 1}
    for out in public(name, inputs_of(name, short), bigger):
        assert len(out) == n and all(math.isnan(v) for v in out)
    empty = {k: [] for k in bars}
    for out in public(name, inputs_of(name, empty), big):
        assert len(out) == 0


def test_hand_checked_values(backend: str) -> None:
    assert list(ta.sma([1.0, 2.0, 3.0, 4.0], 2))[1:] == [1.5, 2.5, 3.5]
    assert list(ta.ema([1.0, 2.0, 3.0, 4.0, 10.0], 3))[2:] == [2.0, 3.0, 6.5]
    assert list(ta.wma([1.0, 2.0, 3.0, 4.0], 3))[2:] == [14.0 / 6.0, 20.0 / 6.0]
    r = ta.rsi([10.0, 11.0, 9.0, 12.0], 2)
    assert r[2] == pytest.approx(100.0 / 3.0, rel=1e-15)
    assert ta.rsi([5.0, 5.0, 5.0], 2)[2] == 0.0
    upper, middle, lower = ta.bbands([1.0, 3.0, 3.0], 2, 2.0)
    assert (upper[1], middle[1], lower[1]) == (4.0, 2.0, 0.0)
    a = ta.atr([10.0, 12.0, 11.0, 15.0], [9.0, 10.0, 8.0, 13.0], [9.5, 11.0, 9.0, 14.0], 2)
    assert list(a)[2:] == [2.75, (2.75 + 6.0) / 2.0]
    assert list(ta.roc([100.0, 110.0, 0.0, 5.0], 1))[1:] == [
        (110.0 / 100.0 - 1.0) * 100.0,
        -100.0,
        0.0,
    ]
    assert list(ta.highest([3.0, 1.0, 4.0, 1.0, 5.0], 2))[1:] == [3.0, 4.0, 4.0, 5.0]
    assert list(ta.lowest([3.0, 1.0, 4.0, 1.0, 5.0], 2))[1:] == [1.0, 1.0, 1.0, 1.0]
    assert list(ta.stddev([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8))[7] == 2.0
    line, signal, hist = ta.macd([float(i) for i in range(1, 40)], 3, 5, 2)
    assert list(line[5:]) == [1.0] * 34 and list(hist[5:]) == [0.0] * 34
    assert all(math.isnan(v) for v in signal[:5])


# -- streaming == batch --------------------------------------------------------------------------


def stream(name: str, params: dict, inputs: list[list[float]], k: int) -> list[Any]:
    state = STREAMS[name](**params)
    rows = [state.update(*(column[t] for column in inputs)) for t in range(k)]
    if rows:
        assert bits(np.ravel([state.value])) == bits(np.ravel([rows[-1]]))
    return rows


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_streaming_equals_batch_prefix(bars: dict, name: str, params: dict) -> None:
    inputs = inputs_of(name, bars)
    batch = pure_python(name, inputs, params)
    rows = stream(name, params, inputs, len(inputs[0]))
    for k in (1, 2, 27, 300, len(rows)):
        columns = [list(col) for col in zip(*rows[:k])] if len(batch) == 3 else [rows[:k]]
        for col, out in zip(columns, batch):
            assert_same_bits(col, out[:k], f"{name} {params} after {k} updates")
    if len(batch) == 3:
        assert isinstance(rows[0], tuple) and len(rows[0]) == 3


def test_streaming_value_and_reset() -> None:
    state = ta.MACD(2, 3, 2)
    assert all(math.isnan(v) for v in state.value)
    first = [state.update(x) for x in (1.0, 2.0, 4.0, 8.0, 16.0)]
    assert state.value == first[-1]
    state.reset()
    assert all(math.isnan(v) for v in state.value)
    assert [state.update(x) for x in (1.0, 2.0, 4.0, 8.0, 16.0)] == first
    sma = ta.SMA(2)
    assert math.isnan(sma.value)
    assert math.isnan(sma.update(1))
    assert sma.update(np.float64(2.0)) == 1.5 and sma.value == 1.5
    assert repr(sma) == "SMA(2)"
    atr = ta.ATR(1)
    atr.update(10, 9, 9.5)
    assert atr.update(12.0, 10.0, 11.0) == 2.5 and atr.value == 2.5


def test_streaming_ignores_leading_nans() -> None:
    state = ta.EMA(2)
    assert math.isnan(state.update(NAN))
    assert math.isnan(state.update(1.0))
    assert state.update(3.0) == 2.0


# -- input and output types ---------------------------------------------------------------------


def test_input_types(backend: str, bars: dict) -> None:
    close = bars["close"][:120]
    want = bits(fb.sma(close, 10))
    for values in (close, tuple(close), np.asarray(close), pd.Series(close)):
        assert bits(ta.sma(values, 10)) == want
    ints = list(range(1, 50))
    assert bits(ta.sma(np.arange(1, 50), 5)) == bits(fb.sma([float(i) for i in ints], 5))
    assert bits(ta.sma(ints, 5)) == bits(ta.sma(range(1, 50), 5))
    assert bits(ta.sma(np.asarray(close, dtype=np.float32), 3)) == bits(
        fb.sma([float(np.float32(v)) for v in close], 3)
    )


def test_series_in_series_out(backend: str, bars: dict) -> None:
    index = pd.date_range("2020-01-01", periods=100, freq="D")
    close = pd.Series(bars["close"][:100], index=index)
    out = ta.rsi(close)
    assert isinstance(out, pd.Series) and out.index.equals(index) and out.name == "rsi_14"
    upper, middle, lower = ta.bbands(close)
    assert [s.name for s in (upper, middle, lower)] == [
        "bbands_upper_20_2.0",
        "bbands_middle_20_2.0",
        "bbands_lower_20_2.0",
    ]
    assert all(s.index.equals(index) for s in (upper, middle, lower))
    names = [s.name for s in ta.macd(close)]
    assert names == ["macd_12_26_9", "macd_signal_12_26_9", "macd_hist_12_26_9"]
    high = pd.Series(bars["high"][:100], index=index)
    low = pd.Series(bars["low"][:100], index=index)
    a = ta.atr(high, low, close)
    assert a.name == "atr_14" and a.index.equals(index)
    assert ta.highest(close, 5).name == "highest_5"
    assert isinstance(ta.sma(list(close), 5), np.ndarray)


def test_defaults_are_talib_s() -> None:
    """rsi 14, macd 12/26/9, bbands 20/2.0, atr 14, roc 10 (TA-Lib 0.8's defaults)."""
    import inspect

    def defaults(f: Callable) -> dict:
        return {
            k: v.default
            for k, v in inspect.signature(f).parameters.items()
            if v.default is not inspect.Parameter.empty
        }

    assert defaults(ta.rsi) == {"period": 14} == defaults(ta.RSI)
    assert defaults(ta.macd) == {"fast": 12, "slow": 26, "signal": 9} == defaults(ta.MACD)
    assert defaults(ta.bbands) == {"period": 20, "k": 2.0} == defaults(ta.BBANDS)
    assert defaults(ta.atr) == {"period": 14} == defaults(ta.ATR)
    assert defaults(ta.roc) == {"period": 10} == defaults(ta.ROC)
    for f in (ta.sma, ta.ema, ta.wma, ta.stddev, ta.highest, ta.lowest):
        assert defaults(f) == {}


# -- bad arguments -------------------------------------------------------------------------------

ERRORS: list[tuple[Callable[[], Any], str]] = [
    (lambda: ta.sma([1.0], 0), "period must be an integer >= 1, got 0"),
    (lambda: ta.sma([1.0], -3), "period must be an integer >= 1, got -3"),
    (lambda: ta.ema([1.0], 10.0), "period must be an integer >= 1, got 10.0"),
    (lambda: ta.wma([1.0], True), "period must be an integer >= 1, got true"),
    (lambda: ta.rsi([1.0], "14"), "period must be an integer >= 1, got '14'"),
    (lambda: ta.roc([1.0], None), "period must be an integer >= 1, got null"),
    (
        lambda: ta.stddev([1.0], 2**70),
        "period must be an integer <= 2147483647, got 1180591620717411303424",
    ),
    (
        lambda: ta.highest([1.0], 2147483648),
        "period must be an integer <= 2147483647, got 2147483648",
    ),
    (lambda: ta.macd([1.0], 26, 12), "macd needs fast < slow, got fast=26 and slow=12"),
    (lambda: ta.macd([1.0], 5, 5), "macd needs fast < slow, got fast=5 and slow=5"),
    (lambda: ta.macd([1.0], 0), "fast must be an integer >= 1, got 0"),
    (lambda: ta.macd([1.0], 12, 26, 0.5), "signal must be an integer >= 1, got 0.5"),
    (lambda: ta.bbands([1.0], 20, -1.0), "k must be a finite number >= 0, got -1.0"),
    (lambda: ta.bbands([1.0], 20, math.inf), "k must be a finite number >= 0, got inf"),
    (lambda: ta.bbands([1.0], 20, math.nan), "k must be a finite number >= 0, got NaN"),
    (lambda: ta.bbands([1.0], 20, "2"), "k must be a finite number >= 0, got '2'"),
    (lambda: ta.bbands([1.0], 20, False), "k must be a finite number >= 0, got false"),
    (lambda: ta.atr([1.0] * 9, [1.0] * 10, [1.0] * 10), "high has 9 values but close has 10"),
    (lambda: ta.atr([1.0] * 10, [1.0] * 11, [1.0] * 10), "low has 11 values but close has 10"),
    (lambda: ta.sma("x", 2), "values must be a sequence of numbers, got 'x'"),
    (lambda: ta.sma(5, 2), "values must be a sequence of numbers, got 5"),
    (lambda: ta.sma(None, 2), "values must be a sequence of numbers, got null"),
    (lambda: ta.sma({"a": 1}, 2), "values must be a sequence of numbers, got an object"),
    (lambda: ta.sma([1.0, "a"], 2), "values[1] must be a number, got 'a'"),
    (lambda: ta.sma([1.0, None], 2), "values[1] must be a number, got null"),
    (lambda: ta.sma([True, 1.0], 2), "values[0] must be a number, got true"),
    (lambda: ta.atr([1.0], ["h"], [1.0]), "low[0] must be a number, got 'h'"),
    (
        lambda: ta.sma(np.array([True, False]), 2),
        "values must be a sequence of numbers, got an array of dtype bool",
    ),
    (
        lambda: ta.sma(np.ones((2, 2)), 2),
        "values must be one-dimensional, got an array of shape (2, 2)",
    ),
    (lambda: ta.SMA(0), "period must be an integer >= 1, got 0"),
    (lambda: ta.RSI(2.0), "period must be an integer >= 1, got 2.0"),
    (lambda: ta.MACD(26, 12), "macd needs fast < slow, got fast=26 and slow=12"),
    (lambda: ta.BBANDS(20, -1.0), "k must be a finite number >= 0, got -1.0"),
    (lambda: ta.SMA(3).update("x"), "value must be a number, got 'x'"),
    (lambda: ta.EMA(3).update(None), "value must be a number, got null"),
    (lambda: ta.ATR(3).update(1.0, True, 1.0), "low must be a number, got true"),
]


@pytest.mark.parametrize(("call", "message"), ERRORS, ids=[m for _, m in ERRORS])
def test_bad_arguments(backend: str, call: Callable[[], Any], message: str) -> None:
    with pytest.raises(BacktestError) as info:
        call()
    assert str(info.value) == message
    assert info.value.code == "invalid_parameter"
    assert isinstance(info.value, ValueError)


def test_numpy_integers_are_periods(backend: str) -> None:
    assert bits(ta.sma([1.0, 2.0, 3.0], np.int64(2))) == bits([NAN, 1.5, 2.5])
    with pytest.raises(BacktestError, match="got 2.0"):
        ta.sma([1.0, 2.0, 3.0], np.float64(2.0))


# -- without numpy -------------------------------------------------------------------------------

NO_NUMPY = textwrap.dedent(
    """
    import json, sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("numpy", "pandas"):
                raise ImportError("blocked: " + name)
            return None

    sys.meta_path.insert(0, Block())
    from quant_backtest import indicators as ta
    out = {
        "sma": ta.sma((1.0, 2.0, 3.0, 4.0), 2),
        "bbands": ta.bbands([1.0, 3.0, 3.0], 2, 2.0),
        "atr": ta.atr([2, 3, 4], [1, 2, 3], [1.5, 2.5, 3.5], 1),
    }
    print(json.dumps({k: repr(v) for k, v in out.items()}))
    """
)


def test_lists_without_numpy() -> None:
    package = Path(ta.__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", NO_NUMPY],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(package), "QUANT_BACKTEST_BACKEND": "python"},
        check=True,
    )
    import json

    out = json.loads(result.stdout)
    assert out["sma"] == "[nan, 1.5, 2.5, 3.5]"
    assert out["bbands"] == "([nan, 4.0, 3.0], [nan, 2.0, 3.0], [nan, 0.0, 3.0])"
    assert out["atr"] == "[nan, 1.5, 1.5]"
