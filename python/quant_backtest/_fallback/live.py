"""Live runs, the pure-Python twin of ``src/stream/`` and ``src/api/live.rs``
(docs/CONVENTIONS.md, "Live runs").

Bars are pushed one at a time through the batch run's own pieces: each indicator is the
streaming state whose fold is the batch function, the account is the batch :class:`Account`
(its arithmetic untouched; a subclass only reports what a step did), the metrics are the batch
:class:`Metrics` accumulator. So the result after any number of bars equals
:func:`.api.run_backtest` on those bars, bit for bit.

The saved state is the Rust engine's, byte for byte: the same JSON layout (serde's field names,
enums tagged in snake_case), the same number spelling (serde_json's shortest round-trip text,
``"NaN"``/``"Infinity"``/``"-Infinity"`` for the floats JSON has no numbers for), every object's
keys sorted, and the same checksum. A state saved by either engine loads in the other.
"""

from __future__ import annotations

import json
import math
import operator
import struct
from collections import deque
from typing import Any, Callable, Mapping, Optional

from .._errors import BacktestError
from . import indicators as ind
from .api import bind, check_params_object, prepare
from .data import validate_row
from .execution import (
    CLOSE,
    FLAT,
    LONG,
    OPEN_LONG,
    OPEN_SHORT,
    REVERSE_TO_LONG,
    REVERSE_TO_SHORT,
    SHORT,
    Account,
)
from .metrics import Metrics
from .settings import Settings
from .strategy import AllOf, AnyOf, Compare, Const, Cross, Indicator, Not, Price, Shift

LIVE_STATE_FORMAT = "quant-backtest/live-state"
LIVE_STATE_VERSION = 1

_NAN = math.nan
_INF = math.inf
_OUTPUTS = {"macd": ("macd", "signal", "hist"), "bbands": ("upper", "middle", "lower")}
_COMPARE = {"gt": operator.gt, "lt": operator.lt, "ge": operator.ge, "le": operator.le}
_SIDE_NAME = {LONG: "long", SHORT: "short"}
_SIDE_OF = {"long": LONG, "short": SHORT}

Event = tuple  # (kind, bar, date, symbol, side, price, size, reason)


def _market_error(message: str) -> BacktestError:
    return BacktestError(message, "invalid_market_data")


def _state_error(message: str) -> BacktestError:
    return BacktestError(message, "invalid_state")


class _Corrupt(Exception):
    """A saved state that does not decode (the text after 'the live state is corrupt: ')."""


# --------------------------------------------------------------------------------------------
# JSON text as serde_json writes it
# --------------------------------------------------------------------------------------------


def format_json_float(x: float) -> str:
    """A finite double as serde_json 1.0.154 writes it (the ``zmij`` crate): the shortest
    round-trip digits (Python's ``repr`` digits: both break ties to even), in plain notation for
    decimal exponents -5 to 15 (``1.0``, ``0.00001``, ``1000000000000000.0``), else as
    ``1e+16``, ``1.5e-7``, ``1.2345678901234568e+17``."""
    if not math.isfinite(x):
        return "null"  # serde_json's spelling (a saved state writes these as strings)
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0.0 else "0.0"
    text = repr(x)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # The value is int(digits) * 10 ** exp10; trailing zeros move into the exponent.
    exp10 = (int(exponent) if exponent else 0) - len(fraction)
    stripped = digits.rstrip("0")
    exp10 += len(digits) - len(stripped)
    digits = stripped
    point = exp10 + len(digits) - 1  # the exponent of the first digit
    if -5 <= point <= 15:
        if len(digits) - 1 <= point:
            body = digits + "0" * (point - len(digits) + 1) + ".0"
        elif point >= 0:
            body = digits[: point + 1] + "." + digits[point + 1 :]
        else:
            body = "0." + "0" * (-point - 1) + digits
    else:
        rest = "." + digits[1:] if len(digits) > 1 else ""
        body = f"{digits[0]}{rest}e{'+' if point >= 0 else '-'}{abs(point)}"
    return sign + body


def _write(value: Any, out: list[str]) -> None:
    """``value`` (None, bool, int, finite float, str, list, dict) as serde_json writes a
    ``serde_json::Value`` whose maps keep their keys sorted: no spaces."""
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(format_json_float(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        out.append("{")
        for i, key in enumerate(sorted(value)):  # code point order is UTF-8 byte order
            if i:
                out.append(",")
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(":")
            _write(value[key], out)
        out.append("}")


def json_text(value: Any) -> str:
    out: list[str] = []
    _write(value, out)
    return "".join(out)


def checksum(body: Any) -> str:
    """FNV-1a (64 bits) of ``body`` written canonically, in hex (``checksum`` in live.rs)."""
    h = 0xCBF29CE484222325
    for b in json_text(body).encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def _state_float(x: float) -> Any:
    """A float of a saved state (``state_json::Float``): the strings JSON has no numbers for."""
    if x != x:
        return "NaN"
    if x == _INF:
        return "Infinity"
    if x == -_INF:
        return "-Infinity"
    return x


def _plain_float(x: float) -> Optional[float]:
    """A float serde writes without ``state_json`` (a trade's): non-finite is null."""
    return x if math.isfinite(x) else None


_I128 = 2**127


def _request_value(value: Any) -> Any:
    """A request's value (strategy, settings, params) as the Rust ``Value`` serializes it: ints
    exact to 128 bits, a larger int as its nearest float, a non-finite float as null."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if -_I128 <= value < _I128:
            return value
        try:
            return _plain_float(float(value))
        except OverflowError:
            return None
    if isinstance(value, float):
        return _plain_float(value)
    if isinstance(value, (list, tuple)):
        return [_request_value(v) for v in value]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"a key that is not a string: {k!r}")
            out[k] = _request_value(v)
        return out
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def request_of(strategy: Any, settings: Any, params: Any, **named: Any) -> dict:
    """A live run's request as the core keeps it: its strategy, settings and params as wire
    values, then ``named`` (the symbol or symbols; the caller adds ``equity_curve``)."""
    try:
        request = {
            "strategy": _request_value(strategy),
            "settings": _request_value(settings),
            "params": _request_value(params),
        }
    except TypeError as e:
        raise BacktestError(
            f"a live run's strategy, settings and params must be plain values ({e})",
            "invalid_parameter",
        ) from None
    request.update(named)
    return request


def save_state(request: dict, state: dict) -> str:
    """The saved text of a run's ``request`` and ``state``: its format, version and checksum
    first (``save_state`` of src/api/live.rs; the Rust engine's text, byte for byte)."""
    body = {"request": request, "state": state}
    saved = {
        "format": LIVE_STATE_FORMAT,
        "version": LIVE_STATE_VERSION,
        "checksum": checksum(body),
        **body,
    }
    return json_text(saved)


def read_state(text: str) -> tuple[Any, Any]:
    """A saved text's request and state, once its format, version and checksum are right
    (``read_state`` of src/api/live.rs)."""
    saved = _parse(text)
    field = saved.get if isinstance(saved, dict) else (lambda _name: None)
    if field("format") != LIVE_STATE_FORMAT:
        raise _state_error(f"not a live state: its 'format' must be '{LIVE_STATE_FORMAT}'")
    version = field("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version < 2**64:
        raise _state_error("a live state must name its 'version'")
    if version != LIVE_STATE_VERSION:
        raise _state_error(
            f"live state version {version} cannot be read: this engine reads version "
            f"{LIVE_STATE_VERSION}"
        )
    if not ("request" in saved and "state" in saved):
        raise _state_error("a live state must hold 'request' and 'state'")
    body = {"request": saved["request"], "state": saved["state"]}
    if field("checksum") != checksum(body):
        raise _state_error("the live state is corrupt: its checksum does not match its content")
    return body["request"], body["state"]


def corrupt(e: Exception) -> BacktestError:
    return _state_error(f"the live state is corrupt: {e}")


def live_from_json(text: str) -> Any:
    """The run a saved state holds (saved by either engine): a :class:`LiveBacktest`, or a
    portfolio's ``LivePortfolioBacktest`` when its request names ``symbols``."""
    request, state = read_state(text)
    if isinstance(request, dict) and "symbols" in request:
        from .live_portfolio import LivePortfolioBacktest

        return LivePortfolioBacktest._from_saved(request, state)
    return LiveBacktest._from_saved(request, state)


# --------------------------------------------------------------------------------------------
# Indicator states in the Rust layout (src/indicators/*.rs, their serde fields)
# --------------------------------------------------------------------------------------------


def _floats(xs: Any) -> list:
    return [_state_float(x) for x in xs]


def _sma_state(s: ind.SMA) -> dict:
    return {
        "period": s.period,
        "divisor": _state_float(s._divisor),
        "window": _floats(s._window),
        "sum": {"sum": _state_float(s._s), "compensation": _state_float(s._c)},
        "run": s._run,
        "seen": s._seen,
    }


def _ema_state(s: ind.EMA) -> dict:
    return {
        "period": s.period,
        "alpha": _state_float(s._alpha),
        "seen": s._seen,
        "value": _state_float(s._e),
    }


def _stddev_state(s: ind.STDDEV) -> dict:
    return {
        "period": s.period,
        "inv_period": _state_float(s._inv),
        "window": _floats(s._window),
        "shift": _state_float(s._shift),
        "sum": _state_float(s._s1),
        "sum_sq": _state_float(s._s2),
        "windows_to_reseed": s._to_reseed,
        "started": s._started,
    }


def _indicator_state(s: Any) -> dict:
    """``IndicatorState`` as serde writes it: ``{kind: fields}``."""
    if isinstance(s, ind.SMA):
        return {"sma": _sma_state(s)}
    if isinstance(s, ind.EMA):
        return {"ema": _ema_state(s)}
    if isinstance(s, ind.WMA):
        return {
            "wma": {
                "period": s.period,
                "divisor": _state_float(s._divisor),
                "window": _floats(s._window),
            }
        }
    if isinstance(s, ind.RSI):
        return {
            "rsi": {
                "period": s.period,
                "inv_period": _state_float(s._inv),
                "seen": s._seen,
                "previous": _state_float(s._previous),
                "gain": _state_float(s._gain),
                "loss": _state_float(s._loss),
            }
        }
    if isinstance(s, ind.MACD):
        return {
            "macd": {
                "fast_start": s.slow - s.fast,
                "slow_period": s.slow,
                "seen": s._seen,
                "fast": _ema_state(s._fast),
                "slow": _ema_state(s._slow),
                "signal": _ema_state(s._signal),
            }
        }
    if isinstance(s, ind.BBANDS):
        return {
            "bbands": {
                "k": _state_float(s.k),
                "middle": _sma_state(s._middle),
                "deviation": _stddev_state(s._deviation),
            }
        }
    if isinstance(s, ind.ATR):
        return {
            "atr": {
                "period": s.period,
                "seen": s._seen,
                "previous_close": _state_float(s._previous_close),
                "value": _state_float(s._a),
            }
        }
    if isinstance(s, ind.STDDEV):
        return {"stddev": _stddev_state(s)}
    if isinstance(s, ind.ROC):
        return {"roc": {"period": s.period, "window": _floats(s._window)}}
    assert isinstance(s, (ind.HIGHEST, ind.LOWEST))
    kind = "highest" if isinstance(s, ind.HIGHEST) else "lowest"
    return {
        kind: {
            "period": s.period,
            "seen": s._seen,
            "candidates": [[i, _state_float(x)] for i, x in s._candidates],
            "last_nan": None if s._last_nan < 0 else s._last_nan,
        }
    }


# --------------------------------------------------------------------------------------------
# Decoding a saved state: serde's checks (types, missing fields, variants), its messages
# --------------------------------------------------------------------------------------------


def _unexpected(v: Any) -> str:
    """How serde names the value it got (a number arrives as serde_json's arbitrary-precision
    number, which it names "number")."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean `{'true' if v else 'false'}`"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return f"string {json.dumps(v, ensure_ascii=False)}"
    if isinstance(v, list):
        return "sequence"
    return "map"


def _invalid(v: Any, expected: str) -> _Corrupt:
    return _Corrupt(f"invalid type: {_unexpected(v)}, expected {expected}")


def _any(v: Any) -> Any:
    return v


def _struct(v: Any, name: str, spec: tuple) -> dict:
    """A struct as serde's derive reads it from a ``serde_json::Value``: from a map, its known
    keys in the map's (sorted) order, then the missing ones in declaration order (an
    ``Option`` field, mode ``"?"``, may be missing; mode ``"null"``: an ``Option`` read
    ``with`` a module, which may be null but not missing); or from an array, by position.
    Unknown keys are ignored."""
    out: dict = {}
    if isinstance(v, list):
        if len(v) < len(spec):
            raise _Corrupt(
                f"invalid length {len(v)}, expected struct {name} with {len(spec)} elements"
            )
        if len(v) > len(spec):
            raise _Corrupt(f"invalid length {len(v)}, expected fewer elements in array")
        for (key, read, mode), x in zip(spec, v):
            out[key] = None if x is None and mode else read(x)
        return out
    if not isinstance(v, dict):
        raise _invalid(v, f"struct {name}")
    fields = {key: (read, mode) for key, read, mode in spec}
    for key in sorted(v):
        if key in fields:
            read, mode = fields[key]
            x = v[key]
            out[key] = None if x is None and mode else read(x)
    for key, _read, mode in spec:
        if key not in out:
            if mode != "?":
                raise _Corrupt(f"missing field `{key}`")
            out[key] = None
    return out


def _integer(v: Any, kind: str, low: int, high: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _invalid(v, kind)
    if isinstance(v, float) or not low <= v < high:
        raise _Corrupt("invalid number")  # serde_json's words for a number of another kind
    return v


def _usize(v: Any) -> int:
    return _integer(v, "usize", 0, 2**64)


def _i128(v: Any) -> int:
    return _integer(v, "i128", -_I128, _I128)


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _invalid(v, "a boolean")
    return v


def _string(v: Any) -> str:
    if not isinstance(v, str):
        raise _invalid(v, "a string")
    return v


def _float(v: Any) -> float:
    """``state_json::Float``: a number or one of the three strings."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise _invalid(v, 'a number, "NaN", "Infinity" or "-Infinity"')
    if isinstance(v, str):
        special = {"NaN": _NAN, "Infinity": _INF, "-Infinity": -_INF}.get(v)
        if special is None:
            raise _Corrupt(f"expected a number, got '{v}'")
        return special
    return float(v)


def _f64(v: Any) -> float:
    """A plain ``f64`` (a trade's)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _invalid(v, "f64")
    return float(v)


def _floats_of(v: Any) -> list:
    return _seq(v, _float)


def _seq(v: Any, read: Callable[[Any], Any]) -> list:
    if not isinstance(v, list):
        raise _invalid(v, "a sequence")
    return [read(x) for x in v]


def _tuple(v: Any, reads: tuple) -> tuple:
    if not isinstance(v, list):
        raise _invalid(v, f"a tuple of size {len(reads)}")
    if len(v) < len(reads):
        raise _Corrupt(f"invalid length {len(v)}, expected a tuple of size {len(reads)}")
    if len(v) > len(reads):
        raise _Corrupt(f"invalid length {len(v)}, expected fewer elements in array")
    return tuple(read(x) for read, x in zip(reads, v))


def _variant(v: Any, variants: tuple, name: str) -> tuple:
    """An externally tagged enum: ``(variant, content, tagged)``; ``tagged``: it came as a
    one-key map (else as a string, a unit variant)."""
    if isinstance(v, str):
        tag, content, tagged = v, None, False
    elif isinstance(v, dict):
        if len(v) != 1:
            raise _Corrupt("invalid value: map, expected map with a single key")
        ((tag, content),) = v.items()
        tagged = True
    else:
        raise _invalid(v, f"enum {name}")
    if tag not in variants:
        shown = [f"`{x}`" for x in variants]
        if len(shown) == 1:
            listed = shown[0]
        elif len(shown) == 2:
            listed = f"{shown[0]} or {shown[1]}"
        else:
            listed = "one of " + ", ".join(shown)
        raise _Corrupt(f"unknown variant `{tag}`, expected {listed}")
    return tag, content, tagged


def _unit(content: Any, tagged: bool) -> None:
    """A unit variant's content: none, or null in a map."""
    if tagged and content is not None:
        raise _invalid(content, "unit")


def _newtype(content: Any, tagged: bool, kind: str = "newtype variant") -> Any:
    if not tagged:
        raise _Corrupt(f"invalid type: unit variant, expected {kind}")
    return content


def _side(v: Any) -> int:
    tag, content, tagged = _variant(v, ("long", "short"), "Side")
    _unit(content, tagged)
    return _SIDE_OF[tag]


_EXIT_REASONS = ("signal", "stop_loss", "take_profit", "trailing_stop", "reverse")


def _exit_reason(v: Any) -> str:
    tag, content, tagged = _variant(v, _EXIT_REASONS, "ExitReason")
    _unit(content, tagged)
    return tag


_SMA = (
    ("period", _usize, ""),
    ("divisor", _float, ""),
    ("window", _floats_of, ""),
    ("sum", _any, ""),
    ("run", _usize, ""),
    ("seen", _usize, ""),
)
_COMPENSATED_SUM = (("sum", _float, ""), ("compensation", _float, ""))
_EMA = (("period", _usize, ""), ("alpha", _float, ""), ("seen", _usize, ""), ("value", _float, ""))
_STDDEV = (
    ("period", _usize, ""),
    ("inv_period", _float, ""),
    ("window", _floats_of, ""),
    ("shift", _float, ""),
    ("sum", _float, ""),
    ("sum_sq", _float, ""),
    ("windows_to_reseed", _usize, ""),
    ("started", _bool, ""),
)


def _read_sma(v: Any) -> ind.SMA:
    f = _struct(v, "Sma", _SMA)
    total = _struct(f["sum"], "CompensatedSum", _COMPENSATED_SUM)
    s = ind.SMA(1)
    s.period, s._divisor, s._run, s._seen = f["period"], f["divisor"], f["run"], f["seen"]
    s._window.extend(f["window"])
    s._s, s._c = total["sum"], total["compensation"]
    return s


def _read_ema(v: Any) -> ind.EMA:
    f = _struct(v, "Ema", _EMA)
    s = ind.EMA(1)
    s.period, s._alpha, s._seen, s._e = f["period"], f["alpha"], f["seen"], f["value"]
    return s


def _read_stddev(v: Any) -> ind.STDDEV:
    f = _struct(v, "Stddev", _STDDEV)
    s = ind.STDDEV(1)
    s.period, s._inv, s._shift = f["period"], f["inv_period"], f["shift"]
    s._window.extend(f["window"])
    s._s1, s._s2 = f["sum"], f["sum_sq"]
    s._to_reseed, s._started = f["windows_to_reseed"], f["started"]
    return s


def _read_wma(v: Any) -> ind.WMA:
    f = _struct(
        v, "Wma", (("period", _usize, ""), ("divisor", _float, ""), ("window", _floats_of, ""))
    )
    s = ind.WMA(1)
    s.period, s._divisor = f["period"], f["divisor"]
    s._window.extend(f["window"])
    return s


def _read_rsi(v: Any) -> ind.RSI:
    spec = (
        ("period", _usize, ""),
        ("inv_period", _float, ""),
        ("seen", _usize, ""),
        ("previous", _float, ""),
        ("gain", _float, ""),
        ("loss", _float, ""),
    )
    f = _struct(v, "Rsi", spec)
    s = ind.RSI(1)
    s.period, s._inv, s._seen = f["period"], f["inv_period"], f["seen"]
    s._kept = float(s.period - 1)
    s._previous, s._gain, s._loss = f["previous"], f["gain"], f["loss"]
    return s


def _read_macd(v: Any) -> ind.MACD:
    spec = (
        ("fast_start", _usize, ""),
        ("slow_period", _usize, ""),
        ("seen", _usize, ""),
        ("fast", _read_ema, ""),
        ("slow", _read_ema, ""),
        ("signal", _read_ema, ""),
    )
    f = _struct(v, "Macd", spec)
    m = ind.MACD(1, 2, 1)
    # MACD reads slow - fast where Rust reads fast_start, and its signal period where Rust
    # asks the signal average whether it is seeding.
    m.slow = f["slow_period"]
    m.fast = f["slow_period"] - f["fast_start"]
    m.signal = f["signal"].period
    m._seen, m._fast, m._slow, m._signal = f["seen"], f["fast"], f["slow"], f["signal"]
    return m


def _read_bbands(v: Any) -> ind.BBANDS:
    spec = (("k", _float, ""), ("middle", _read_sma, ""), ("deviation", _read_stddev, ""))
    f = _struct(v, "Bbands", spec)
    b = ind.BBANDS(1, 0.0)
    b.k, b._middle, b._deviation = f["k"], f["middle"], f["deviation"]
    b.period = b._middle.period
    return b


def _read_atr(v: Any) -> ind.ATR:
    spec = (
        ("period", _usize, ""),
        ("seen", _usize, ""),
        ("previous_close", _float, ""),
        ("value", _float, ""),
    )
    f = _struct(v, "Atr", spec)
    a = ind.ATR(1)
    a.period, a._seen = f["period"], f["seen"]
    a._p, a._kept = float(a.period), float(a.period - 1)
    a._previous_close, a._a = f["previous_close"], f["value"]
    return a


def _read_roc(v: Any) -> ind.ROC:
    f = _struct(v, "Roc", (("period", _usize, ""), ("window", _floats_of, "")))
    r = ind.ROC(1)
    r.period = f["period"]
    r._window.extend(f["window"])
    return r


def _read_extreme(v: Any, state: Any) -> Any:
    spec = (
        ("period", _usize, ""),
        ("seen", _usize, ""),
        ("candidates", lambda x: _seq(x, lambda c: _tuple(c, (_usize, _float))), ""),
        ("last_nan", _usize, "?"),
    )
    f = _struct(v, "Extreme", spec)
    state.period, state._seen = f["period"], f["seen"]
    state._candidates.extend(f["candidates"])
    state._last_nan = -1 if f["last_nan"] is None else f["last_nan"]
    return state


_INDICATOR_READERS: dict[str, Callable[[Any], Any]] = {
    "sma": _read_sma,
    "ema": _read_ema,
    "wma": _read_wma,
    "rsi": _read_rsi,
    "macd": _read_macd,
    "bbands": _read_bbands,
    "atr": _read_atr,
    "stddev": _read_stddev,
    "roc": _read_roc,
    "highest": lambda v: _read_extreme(v, ind.HIGHEST(1)),
    "lowest": lambda v: _read_extreme(v, ind.LOWEST(1)),
}


def _read_indicator(v: Any) -> tuple[str, Any]:
    """An ``IndicatorState``: its kind and the fallback state holding exactly its fields."""
    kind, content, tagged = _variant(v, tuple(_INDICATOR_READERS), "IndicatorState")
    return kind, _INDICATOR_READERS[kind](_newtype(content, tagged))


def _read_series(v: Any) -> tuple:
    """A ``SeriesState``: ``("indicator", kind, state)`` or ``("shift", periods, window)``."""
    tag, content, tagged = _variant(v, ("indicator", "shift"), "SeriesState")
    if tag == "indicator":
        kind, state = _read_indicator(_newtype(content, tagged))
        return ("indicator", kind, state)
    spec = (("periods", _usize, ""), ("window", _floats_of, ""))
    f = _struct(_newtype(content, tagged, "struct variant"), "Shift", spec)
    return ("shift", f["periods"], f["window"])


# --------------------------------------------------------------------------------------------
# Signals: a bound strategy's four sides, one bar at a time (src/stream/signals.rs)
# --------------------------------------------------------------------------------------------


def _bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def _series_key(s: Any) -> tuple:
    """``SeriesKey::of``: a series' identity, numbers by their bits, an indicator's output kept."""
    if isinstance(s, Price):
        return ("price", s.column)
    if isinstance(s, Const):
        return ("const", _bits(s.value))
    if isinstance(s, Indicator):
        source = None if s.source is None else _series_key(s.source)
        bits = tuple(_bits(v) for _, v in s.params) + (0,) * (3 - len(s.params))
        return ("indicator", s.name, bits, source, _output_index(s))
    assert isinstance(s, Shift)
    return ("shift", _bits(s.periods), _series_key(s.series))


def _computation(key: tuple) -> tuple:
    """An indicator's key with no output: the computation that makes all its outputs."""
    return key[:4] + (None,) if key[0] == "indicator" else key


def _output_index(s: Indicator) -> int:
    return _OUTPUTS[s.name].index(s.output) if s.output is not None else 0


def _new_indicator(s: Indicator) -> Any:
    args = [v for _, v in s.params]
    cls = getattr(ind, s.name.upper())
    return cls(*args)


def _visit_condition(c: Any, f: Callable[[Any], None]) -> None:
    if isinstance(c, (Compare, Cross)):
        _visit_series(c.a, f)
        _visit_series(c.b, f)
    elif isinstance(c, (AllOf, AnyOf)):
        for part in c.items:
            _visit_condition(part, f)
    else:
        assert isinstance(c, Not)
        _visit_condition(c.item, f)


def _visit_series(s: Any, f: Callable[[Any], None]) -> None:
    if isinstance(s, Indicator):
        if s.source is not None:
            _visit_series(s.source, f)
        f(s)
    elif isinstance(s, Shift):
        _visit_series(s.series, f)
        f(s)


class _Computed:
    """One computed series: ``kind`` (an indicator's name, or ``"shift"``), its state (a
    streaming indicator; a shift's ``[periods, window]``), its source input (None: ``atr``),
    and where its outputs go in the current values."""

    __slots__ = ("kind", "state", "source", "out", "outputs")

    def __init__(self, kind: str, state: Any, source: Any, out: int, outputs: int) -> None:
        self.kind = kind
        self.state = state
        self.source = source
        self.out = out
        self.outputs = outputs


_PRICE_INDEX = {"open": 0, "high": 1, "low": 2, "close": 3, "volume": 4}


class _LiveSignals:
    """The twin of ``LiveSignals``: series in the same order, crossings numbered alike."""

    def __init__(self, sides: tuple) -> None:
        self.computed: list[_Computed] = []
        self.values: list[float] = []
        self.crosses: list[tuple] = []
        slots: dict[tuple, int] = {}
        for side in sides:
            if side is not None:
                _visit_condition(side, lambda s: self._add(s, slots))
        self.sides = [None if c is None else self._node(c, slots) for c in sides]
        self.memory: list[tuple[bool, bool]] = [(False, False)] * len(self.crosses)

    def _input(self, s: Any, slots: dict) -> tuple:
        if isinstance(s, Price):
            return ("price", _PRICE_INDEX[s.column])
        if isinstance(s, Const):
            return ("const", s.value)
        if isinstance(s, Indicator):
            return ("value", slots[_computation(_series_key(s))] + _output_index(s))
        return ("value", slots[_series_key(s)])

    def _add(self, s: Any, slots: dict) -> None:
        key = _computation(_series_key(s))
        if key in slots:
            return
        out = len(self.values)
        if isinstance(s, Indicator):
            state: Any = _new_indicator(s)
            source = None if s.source is None else self._input(s.source, slots)
            kind, outputs = s.name, len(_OUTPUTS.get(s.name, ("",)))
        else:
            state = [s.periods, deque()]
            source = self._input(s.series, slots)
            kind, outputs = "shift", 1
        self.values.extend([_NAN] * outputs)
        self.computed.append(_Computed(kind, state, source, out, outputs))
        slots[key] = out

    def _node(self, c: Any, slots: dict) -> tuple:
        if isinstance(c, Compare):
            return ("compare", _COMPARE[c.op], self._input(c.a, slots), self._input(c.b, slots))
        if isinstance(c, Cross):
            self.crosses.append((self._input(c.a, slots), self._input(c.b, slots)))
            return ("cross", c.op == "crosses_above", len(self.crosses) - 1)
        if isinstance(c, AllOf):
            return ("and", [self._node(p, slots) for p in c.items])
        if isinstance(c, AnyOf):
            return ("or", [self._node(p, slots) for p in c.items])
        return ("not", self._node(c.item, slots))

    def _value(self, input_: tuple, bar: tuple) -> float:
        kind, at = input_
        if kind == "price":
            return bar[at]
        if kind == "const":
            return at
        return self.values[at]

    def update(self, bar: tuple) -> list[bool]:
        """Feeds bar ``(open, high, low, close, volume)``: the raw signals of the four sides."""
        values = self.values
        for c in self.computed:
            x = _NAN if c.source is None else self._value(c.source, bar)
            if c.kind == "shift":
                periods, window = c.state
                window.append(x)
                values[c.out] = window.popleft() if len(window) > periods else _NAN
            elif c.source is None:
                values[c.out] = c.state.update(bar[1], bar[2], bar[3])
            elif c.outputs == 1:
                values[c.out] = c.state.update(x)
            else:
                values[c.out : c.out + 3] = c.state.update(x)
        current = []
        for a, b in self.crosses:
            x, y = self._value(a, bar), self._value(b, bar)
            current.append((x < y, x > y))
        out = [False if node is None else self._holds(node, bar, current) for node in self.sides]
        self.memory = current
        return out

    def _holds(self, node: tuple, bar: tuple, current: list) -> bool:
        kind = node[0]
        if kind == "compare":
            return node[1](self._value(node[2], bar), self._value(node[3], bar))
        if kind == "cross":
            before, now = self.memory[node[2]], current[node[2]]
            # Bar t crosses when it is beyond and bar t - 1 was short of it (NaN is neither).
            return before[0] and now[1] if node[1] else before[1] and now[0]
        if kind == "and":
            return all(self._holds(p, bar, current) for p in node[1])
        if kind == "or":
            return any(self._holds(p, bar, current) for p in node[1])
        return not self._holds(node[1], bar, current)

    def state(self) -> dict:
        """``SignalsState`` as serde writes it."""
        series = []
        for c in self.computed:
            if c.kind == "shift":
                periods, window = c.state
                series.append({"shift": {"periods": periods, "window": _floats(window)}})
            else:
                series.append({"indicator": _indicator_state(c.state)})
        crosses = [{"below": below, "above": above} for below, above in self.memory]
        return {"series": series, "crosses": crosses}

    def restore(self, saved: list, crosses: list) -> None:
        """Puts back decoded series and crossings if they are this strategy's (as
        ``LiveSignals::restore`` checks); else raises :class:`_Corrupt` saying what differs
        (its caller says whose state it is)."""
        if len(saved) != len(self.computed) or len(crosses) != len(self.memory):
            raise _Corrupt(
                f"it holds {len(saved)} series and {len(crosses)} crossings, the strategy has "
                f"{len(self.computed)} and {len(self.memory)}"
            )
        for i, (s, c) in enumerate(zip(saved, self.computed)):
            if s[0] == "shift":
                same = c.kind == "shift" and s[1] == c.state[0] and len(s[2]) <= s[1]
            else:
                same = c.kind == s[1]
            if not same:
                raise _Corrupt(f"its series {i} is not the strategy's")
        for s, c in zip(saved, self.computed):
            c.state = [s[1], deque(s[2])] if s[0] == "shift" else s[2]
        self.memory = list(crosses)


# --------------------------------------------------------------------------------------------
# The account, reporting what a step does (the StepSink of src/stream/live.rs)
# --------------------------------------------------------------------------------------------


class _BarDates:
    """The dates :meth:`Account.close` reads: the bar's own, or the open position's entry."""

    def __init__(self, run: _LiveAccount) -> None:
        self.run = run

    def __getitem__(self, i: int) -> str:
        return self.run.date if i == self.run.t else self.run.entry_date


def stop_levels(side: int, p: float, settings: Any) -> tuple[float, float]:
    """A position's (stop loss, take profit) levels from its entry price ``p``, as
    Account::open keeps them: long levels below the price, short ones above; a level not set is
    the infinity on its side."""
    sl, tp = settings.stop_loss, settings.take_profit
    if side == LONG:
        return (-_INF if sl is None else p * (1.0 - sl), _INF if tp is None else p * (1.0 + tp))
    return (_INF if sl is None else p * (1.0 + sl), -_INF if tp is None else p * (1.0 - tp))


class _LiveAccount(Account):
    """The batch account; a live step reports its closes, entries and orders as events, and
    keeps what the Rust account keeps besides (its stop levels, whether it opened at the
    open). The arithmetic is the base class's."""

    def __init__(self, settings: Settings, metrics: Metrics, symbol: Optional[str]) -> None:
        super().__init__(settings, metrics, _BarDates(self))
        self.settings = settings
        self.symbol = symbol
        self.t = 0
        self.date = ""
        self.entry_date = ""
        self.events: list[Event] = []
        self.opened_at_open = False
        self.levels = (-_INF, _INF)

    def event(
        self, kind: str, side: str, price: Optional[float], size: Optional[float], reason: str
    ) -> None:
        self.events.append((kind, self.t, self.date, self.symbol, side, price, size, reason))

    def open(self, side: int, t: int, p: float, available: Optional[float] = None) -> None:
        super().open(side, t, p, available)
        if self.pos == FLAT:
            return  # nothing opened
        self.levels = stop_levels(side, p, self.settings)
        self.event("fill", _SIDE_NAME[side], p, self.q, "entry")
        self.entry_date = self.date

    def close(self, t: int, p: float, reason: str) -> None:
        side, q, entry_index = self.pos, self.q, self.entry_index
        super().close(t, p, reason)
        kind = "fill" if reason in ("signal", "reverse") else "stop"
        self.event(kind, _SIDE_NAME[side], p, q, reason)
        # A position opened at this bar's open and stopped on it keeps its entry date (its
        # trade read the bar's own date).
        if entry_index != t:
            self.entry_date = ""

    def live_step(self, t: int, bar: tuple, le: bool, lx: bool, se: bool, sx: bool) -> float:
        """:meth:`Account.step` for a bar with no known end: an order for the next open is
        kept pending on the last bar pushed (the next push fills it)."""
        o, h, lo, c, _ = bar
        opened_at_open = False
        if self.pending is not None:  # 1. the pending order at the open
            was_flat = self.pos == FLAT
            order = self.pending
            self.pending = None
            self.execute(order, t, o)
            opened_at_open = self.pos != FLAT and (was_flat or order != CLOSE)
        self.opened_at_open = opened_at_open
        stopped = False
        if self.pos != FLAT and self.has_stops:  # 2. stops
            stopped = self.stops(t, o, h, lo, opened_at_open)
        if not stopped:  # 3. signals
            order = self.wanted(le, lx, se, sx)
            if order is not None:
                side, reason = _order_event(order, self.pos)
                self.event("order", side, None, None, reason)
                if self.fill_close:
                    self.execute(order, t, c)
                else:
                    self.pending = order
        if self.pos == LONG:  # 4. equity at the close
            equity = self.cash + self.q * c
        elif self.pos == SHORT:
            equity = self.cash - self.q * c
        else:
            equity = self.cash
        self.metrics.push(t, equity, self.pos != FLAT)
        return equity


def effective(raw: list, direction: str) -> tuple[bool, bool, bool, bool]:
    """A bar's effective signals from its raw ones: a same-side conflict and the direction
    applied, as a batch run does (``effective`` of src/stream/live.rs)."""
    entry, exit_, short_entry, short_exit = raw
    le, lx = entry and not exit_, exit_ and not entry
    se, sx = short_entry and not short_exit, short_exit and not short_entry
    if direction == "long_only":
        se = sx = False
    elif direction == "short_only":
        le = lx = False
    return le, lx, se, sx


def signal_events(le: bool, lx: bool, se: bool, sx: bool) -> list[tuple[str, str]]:
    """The signal events of a bar's effective signals: (side, ``"entry"`` | ``"exit"``), in
    the order long entry, long exit, short entry, short exit."""
    return [
        (side, reason)
        for on, side, reason in (
            (le, "long", "entry"),
            (lx, "long", "exit"),
            (se, "short", "entry"),
            (sx, "short", "exit"),
        )
        if on
    ]


def _order_event(order: str, held: int) -> tuple:
    """``order_event``: an order's side and reason, as the event's (side, ..., reason)."""
    if order == OPEN_LONG:
        return "long", "open"
    if order == OPEN_SHORT:
        return "short", "open"
    if order == CLOSE:
        return _SIDE_NAME.get(held, "long"), "close"
    return ("long" if order == REVERSE_TO_LONG else "short"), "reverse"


_ORDER_STATE = {
    OPEN_LONG: {"open": "long"},
    OPEN_SHORT: {"open": "short"},
    CLOSE: "close",
    REVERSE_TO_LONG: {"reverse": "long"},
    REVERSE_TO_SHORT: {"reverse": "short"},
}
_PENDING_NAME = {
    OPEN_LONG: "open_long",
    OPEN_SHORT: "open_short",
    CLOSE: "close",
    REVERSE_TO_LONG: "reverse_long",
    REVERSE_TO_SHORT: "reverse_short",
}


def _read_order(v: Any) -> str:
    tag, content, tagged = _variant(v, ("open", "close", "reverse"), "Order")
    if tag == "close":
        _unit(content, tagged)
        return CLOSE
    side = _side(_newtype(content, tagged))
    if tag == "open":
        return OPEN_LONG if side == LONG else OPEN_SHORT
    return REVERSE_TO_LONG if side == LONG else REVERSE_TO_SHORT


# --------------------------------------------------------------------------------------------
# The live run
# --------------------------------------------------------------------------------------------


class SavedRun:
    """The saved-state envelope of both live runs: ``to_json`` and ``from_json`` around a run's
    own ``_state`` / ``_restore``, its request read by ``_read_saved`` and made back into the
    run's arguments by ``_arguments``; a corrupt part is refused (``invalid_state``) before
    anything is kept."""

    _request: Any

    def _state(self) -> dict:
        raise NotImplementedError

    def _restore(self, state: dict) -> None:
        raise NotImplementedError

    @staticmethod
    def _read_saved(request: Any, state: Any) -> tuple[dict, dict]:
        raise NotImplementedError

    @staticmethod
    def _arguments(request: dict) -> tuple:
        raise NotImplementedError

    def to_json(self) -> str:
        """The saved state: JSON text naming its format and version, with a checksum of the
        rest (the Rust engine's text for the same run, byte for byte)."""
        return save_state(self._request, self._state())

    @classmethod
    def from_json(cls, text: str) -> Any:
        """A run resumed from :meth:`to_json`'s text (saved by either engine): all of it, or a
        ``BacktestError`` (``invalid_state``) saying why not."""
        return cls._from_saved(*read_state(text))

    @classmethod
    def _from_saved(cls, request: Any, state: Any) -> Any:
        try:
            request, state = cls._read_saved(request, state)
        except _Corrupt as e:
            raise corrupt(e) from None
        run = cls(*cls._arguments(request))
        try:
            run._restore(state)
        except _Corrupt as e:
            raise corrupt(e) from None
        return run


class LiveBacktest(SavedRun):
    """One asset's live run (``LiveBacktest`` of src/api/live.rs): bars pushed one at a time,
    the events each caused, the batch result on the bars so far, its state saved as JSON."""

    def __init__(
        self,
        strategy: Any,
        settings: Optional[Mapping[str, Any]],
        params: Optional[Mapping[str, Any]],
        symbol: Optional[str],
        equity_curve: bool,
    ) -> None:
        parsed, resolved = prepare(strategy, settings)
        values = check_params_object(params)
        sides = bind(parsed, values)
        self._request = request_of(strategy, settings, params, symbol=symbol)
        self._request["equity_curve"] = bool(equity_curve)
        self._params = dict(values)
        self._settings = resolved
        self._signals = _LiveSignals(sides)
        self._metrics = Metrics(resolved.initial_capital, resolved.periods_per_year, 0)
        self._account = _LiveAccount(resolved, self._metrics, symbol)
        self._bars = 0
        self._last_date: Optional[str] = None
        self._last_instant: Optional[int] = None
        self._first_close = _NAN
        self._last_close = _NAN
        self._equity = resolved.initial_capital
        self._curve: Optional[list[float]] = [] if equity_curve else None

    # -- bars -----------------------------------------------------------------------------

    def push(
        self,
        date: str,
        open: float,  # noqa: A002
        high: float,
        low: float,
        close: float,
        volume: float,
    ) -> list[tuple]:
        """One bar, checked as row ``bars()`` of batch data is (refused: nothing changes);
        the events it caused: the effective signals, then the fills, stops and orders of the
        step in the order they happened."""
        t = self._bars
        previous = None
        if self._last_instant is not None and self._last_date is not None:
            previous = (self._last_instant, self._last_date)
        instant, bar = validate_row(t, date, previous, (open, high, low, close, volume))
        le, lx, se, sx = effective(self._signals.update(bar), self._settings.direction)
        a = self._account
        a.t, a.date, a.events = t, date, []
        c = bar[3]
        for side, reason in signal_events(le, lx, se, sx):
            a.event("signal", side, c, None, reason)
        e = a.live_step(t, bar, le, lx, se, sx)
        if self._curve is not None:
            self._curve.append(e)
        if t == 0:
            self._first_close = c
        self._last_close = c
        self._equity = e
        self._bars = t + 1
        self._last_instant = instant
        self._last_date = date
        return list(a.events)

    # -- where it stands --------------------------------------------------------------------

    def position(self) -> Optional[tuple[str, float]]:
        a = self._account
        return None if a.pos == FLAT else (_SIDE_NAME[a.pos], a.q)

    def pending(self) -> Optional[str]:
        p = self._account.pending
        return None if p is None else _PENDING_NAME[p]

    def cash(self) -> float:
        return self._account.cash

    def equity(self) -> float:
        return self._equity

    def bars(self) -> int:
        return self._bars

    def last_date(self) -> Optional[str]:
        return self._last_date

    def result(self) -> dict:
        """The batch run's result on the bars so far (``run_backtest``'s dict; the curve
        empty when the run keeps none); refused before the first bar, as empty data is."""
        m = self._metrics
        if m.first:
            raise _market_error("market data is empty: need at least 1 row")
        m.n = self._bars
        m.finish_prices(self._first_close, self._last_close)
        return {
            "metrics": m.table(),
            "trades": [dict(trade) for trade in self._account.trades],
            "equity_curve": [] if self._curve is None else list(self._curve),
            "params": dict(self._params),
        }

    # -- the saved state ----------------------------------------------------------------------

    def _state(self) -> dict:
        """``LiveState`` as serde writes it."""
        a, m = self._account, self._metrics
        traded = m.trade_count > 0
        stats = stats_state(
            m.trade_count,
            m.wins,
            m.gross_profit,
            m.gross_loss,
            m.pnl_sum,
            # TradeStats::default() holds 0.0 where the fallback holds NaN.
            m.best_trade if traded else 0.0,
            m.worst_trade if traded else 0.0,
        )
        account = account_state(a, self._settings, a.opened_at_open, a.levels, stats)
        metrics = None if m.first else metrics_state(m, m.in_market)
        trades = [trade_state(tr) for tr in a.trades]
        return {
            "bars": self._bars,
            "last_date": self._last_date,
            "last_instant": self._last_instant,
            "first_close": _state_float(self._first_close),
            "last_close": _state_float(self._last_close),
            "equity": _state_float(self._equity),
            "account": account,
            "entry_date": a.entry_date,
            "signals": self._signals.state(),
            "metrics": metrics,
            "returns": _floats(m.nonzero),
            "trades": trades,
            "equity_curve": None if self._curve is None else _floats(self._curve),
        }

    @staticmethod
    def _read_saved(request: Any, state: Any) -> tuple[dict, dict]:
        return _read_request(request), _read_state(state)

    @staticmethod
    def _arguments(request: dict) -> tuple:
        return (
            request["strategy"],
            request["settings"],
            request["params"],
            request["symbol"],
            request["equity_curve"],
        )

    def _restore(self, st: dict) -> None:
        """Puts a decoded state in place (``LiveRun::resume``); the signals are checked first,
        so a refusal changes nothing that is kept."""
        try:
            self._signals.restore(*st["signals"])
        except _Corrupt as e:
            raise _Corrupt(f"its state is not its strategy's: {e}") from None
        _check_consistent(st)
        self._bars = st["bars"]
        self._last_date = st["last_date"]
        self._last_instant = st["last_instant"]
        self._first_close = st["first_close"]
        self._last_close = st["last_close"]
        self._equity = st["equity"]
        self._curve = st["equity_curve"]  # None: the run keeps no curve, as the state says
        a, m = self._account, self._metrics
        acc = st["account"]
        restore_account(a, acc)
        a.opened_at_open = acc["opened_at_open"]
        a.levels = acc["levels"]
        a.entry_date = st["entry_date"]
        a.trades = st["trades"]
        stats = acc["stats"]
        m.trade_count = stats["closed"]
        m.wins = stats["wins"]
        m.gross_profit = stats["gross_profit"]
        m.gross_loss = stats["gross_loss"]
        m.pnl_sum = stats["pnl_sum"]
        traded = m.trade_count > 0
        m.best_trade = stats["best"] if traded else _NAN
        m.worst_trade = stats["worst"] if traded else _NAN
        restore_metrics(m, st["metrics"], st["returns"])


# --------------------------------------------------------------------------------------------
# The parts of a saved state both kinds of run hold (an account, its trades, the metrics)
# --------------------------------------------------------------------------------------------


def stats_state(
    closed: int,
    wins: int,
    gross_profit: float,
    gross_loss: float,
    pnl_sum: float,
    best: float,
    worst: float,
) -> dict:
    """``TradeStats`` as serde writes it."""
    return {
        "closed": closed,
        "wins": wins,
        "gross_profit": _state_float(gross_profit),
        "gross_loss": _state_float(gross_loss),
        "pnl_sum": _state_float(pnl_sum),
        "best": _state_float(best),
        "worst": _state_float(worst),
    }


def account_state(
    a: Account, settings: Settings, opened_at_open: bool, levels: tuple, stats: dict
) -> dict:
    """``Account`` as serde writes it (its settings are not saved)."""
    return {
        "cash": _state_float(a.cash),
        "position": _SIDE_NAME.get(a.pos),
        "size": _state_float(a.q),
        "entry_index": a.entry_index,
        "entry_price": _state_float(a.entry_price),
        "basis": _state_float(a.basis),
        "entry_proceeds": _state_float(a.entry_proceeds),
        # Rust follows the best price only for a trailing stop; else it stays the entry's.
        "best": _state_float(a.best if settings.trailing_stop is not None else a.entry_price),
        "opened_at_open": opened_at_open,
        "levels": [_state_float(levels[0]), _state_float(levels[1])],
        "pending": None if a.pending is None else _ORDER_STATE[a.pending],
        "stats": stats,
    }


def restore_account(a: Account, acc: dict) -> None:
    """A decoded account's position, cash and pending order put back."""
    a.cash = acc["cash"]
    a.pos = FLAT if acc["position"] is None else acc["position"]
    a.q = acc["size"]
    a.entry_index = acc["entry_index"]
    a.entry_price = acc["entry_price"]
    a.basis = acc["basis"]
    a.entry_proceeds = acc["entry_proceeds"]
    a.best = acc["best"]
    a.pending = acc["pending"]


def metrics_state(m: Metrics, exposed_bars: int) -> dict:
    """``MetricsState`` as serde writes it (after a first bar)."""
    return {
        "count": len(m.nonzero),
        "prev": _state_float(m.prev),
        "sum": _state_float(m.sum_r),
        "downside_sq": _state_float(m.downside_sq),
        "peak": _state_float(m.peak),
        "max_drawdown": _state_float(m.max_drawdown),
        "below_since": m.below_since,
        "max_drawdown_duration": m.longest_below,
        "exposed_bars": exposed_bars,
        "initial_capital": _state_float(m.initial_capital),
    }


def restore_metrics(m: Metrics, saved: Optional[dict], returns: list) -> None:
    """A decoded ``MetricsState`` (None: no bar yet) and its returns put back."""
    if saved is None:
        return
    m.first = False
    m.prev = saved["prev"]
    m.sum_r = saved["sum"]
    m.downside_sq = saved["downside_sq"]
    m.peak = saved["peak"]
    m.max_drawdown = saved["max_drawdown"]
    m.below_since = saved["below_since"]
    m.longest_below = saved["max_drawdown_duration"]
    m.in_market = saved["exposed_bars"]
    m.initial_capital = saved["initial_capital"]
    m.nonzero = returns[: saved["count"]]


def trade_state(trade: dict) -> dict:
    """A dated ``Trade`` as serde writes it (its floats plain: a non-finite one is null)."""
    out = dict(trade)
    for key in ("entry_price", "exit_price", "size", "pnl", "return_pct"):
        out[key] = _plain_float(out[key])
    return out


def _parse(text: str) -> Any:
    """JSON text as serde_json reads it (no NaN or Infinity literals); a refusal in
    serde_json's words, at its line and column."""

    def refuse_constant(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(text, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as e:
        message = _SyntaxCheck(text).error() or str(e)
        raise _state_error(f"a live state must be JSON text: {message}") from None


class _SyntaxError(Exception):
    pass


class _SyntaxCheck:
    """serde_json's reader, for its error only: what it says and where (a line, and a column
    in bytes: the offending byte's, or at the end the last line's length)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def error(self) -> Optional[str]:
        try:
            self.value()
            self.space()
            if self.i < len(self.text):
                self.fail("trailing characters")
        except _SyntaxError as e:
            return str(e)
        return None

    def fail(self, what: str) -> None:
        text, i = self.text, self.i
        line_start = text.rfind("\n", 0, i) + 1
        column = len(text[line_start:i].encode("utf-8"))
        if i < len(text):
            column += 1  # the offending byte's own column
        raise _SyntaxError(f"{what} at line {text.count(chr(10), 0, i) + 1} column {column}")

    def peek(self, eof: str) -> str:
        if self.i >= len(self.text):
            self.fail(f"EOF while parsing {eof}")
        return self.text[self.i]

    def space(self) -> None:
        text, i = self.text, self.i
        while i < len(text) and text[i] in " \n\t\r":
            i += 1
        self.i = i

    def value(self) -> None:
        self.space()
        c = self.peek("a value")
        if c in "ntf":
            for expected in {"n": "null", "t": "true", "f": "false"}[c]:
                if self.peek("a value") != expected:
                    self.fail("expected ident")
                self.i += 1
        elif c == "-" or "0" <= c <= "9":
            self.number()
        elif c == '"':
            self.string()
        elif c == "[":
            self.sequence("[", "]", "a list", "expected `,` or `]`")
        elif c == "{":
            self.sequence("{", "}", "an object", "expected `,` or `}`")
        else:
            self.fail("expected value")

    def digits(self) -> int:
        start = self.i
        while self.i < len(self.text) and "0" <= self.text[self.i] <= "9":
            self.i += 1
        return self.i - start

    def number(self) -> None:
        if self.text[self.i] == "-":
            self.i += 1
        c = self.peek("a value")
        if not "0" <= c <= "9":
            self.fail("invalid number")
        if c == "0":
            self.i += 1
            if self.i < len(self.text) and "0" <= self.text[self.i] <= "9":
                self.fail("invalid number")
        else:
            self.digits()
        if self.i < len(self.text) and self.text[self.i] == ".":
            self.i += 1
            self.peek("a value")
            if not self.digits():
                self.fail("invalid number")
        if self.i < len(self.text) and self.text[self.i] in "eE":
            self.i += 1
            if self.peek("a value") in "+-":
                self.i += 1
            self.peek("a value")
            if not self.digits():
                self.fail("invalid number")

    def string(self) -> None:
        self.i += 1
        while True:
            c = self.peek("a string")
            if c == '"':
                self.i += 1
                return
            if c < " ":
                self.fail("control character (\\u0000-\\u001F) found while parsing a string")
            self.i += 1
            if c == "\\":
                e = self.peek("a string")
                if e == "u":
                    for _ in range(4):
                        self.i += 1
                        if self.peek("a string") not in "0123456789abcdefABCDEF":
                            self.fail("invalid escape")
                elif e not in '"\\/bfnrt':
                    self.fail("invalid escape")
                self.i += 1

    def sequence(self, open_: str, close: str, eof: str, expected: str) -> None:
        is_object = open_ == "{"
        self.i += 1
        self.space()
        if self.peek(eof) == close:
            self.i += 1
            return
        while True:
            if is_object:
                if self.peek(eof) != '"':
                    self.fail("key must be a string")
                self.string()
                self.space()
                if self.peek(eof) != ":":
                    self.fail("expected `:`")
                self.i += 1
            self.value()
            self.space()
            c = self.peek(eof)
            if c == close:
                self.i += 1
                return
            if c != ",":
                self.fail(expected)
            self.i += 1
            self.space()
            if self.i < len(self.text) and self.text[self.i] == close:
                self.fail("trailing comma")
            if is_object:
                self.space()
                if self.peek("a value") != '"':
                    self.fail("key must be a string")


def _read_request(v: Any) -> dict:
    spec = (
        ("strategy", _any, ""),
        ("settings", _any, ""),
        ("params", _any, ""),
        ("symbol", _string, "?"),
        ("equity_curve", _bool, ""),
    )
    return _struct(v, "LiveRequest", spec)


def _read_stats(v: Any) -> dict:
    spec = (
        ("closed", _usize, ""),
        ("wins", _usize, ""),
        ("gross_profit", _float, ""),
        ("gross_loss", _float, ""),
        ("pnl_sum", _float, ""),
        ("best", _float, ""),
        ("worst", _float, ""),
    )
    return _struct(v, "TradeStats", spec)


def _read_account(v: Any) -> dict:
    spec = (
        ("cash", _float, ""),
        ("position", _side, "?"),
        ("size", _float, ""),
        ("entry_index", _usize, ""),
        ("entry_price", _float, ""),
        ("basis", _float, ""),
        ("entry_proceeds", _float, ""),
        ("best", _float, ""),
        ("opened_at_open", _bool, ""),
        ("levels", lambda x: _tuple(x, (_float, _float)), ""),
        ("pending", _read_order, "?"),
        ("stats", _read_stats, ""),
    )
    return _struct(v, "Account", spec)


def _read_metrics(v: Any) -> dict:
    spec = (
        ("count", _usize, ""),
        ("prev", _float, ""),
        ("sum", _float, ""),
        ("downside_sq", _float, ""),
        ("peak", _float, ""),
        ("max_drawdown", _float, ""),
        ("below_since", _usize, "?"),
        ("max_drawdown_duration", _usize, ""),
        ("exposed_bars", _usize, ""),
        ("initial_capital", _float, ""),
    )
    return _struct(v, "MetricsState", spec)


def _read_trade(v: Any) -> dict:
    spec = (
        ("entry_index", _usize, ""),
        ("exit_index", _usize, ""),
        ("entry_date", _string, ""),
        ("exit_date", _string, ""),
        ("entry_price", _f64, ""),
        ("exit_price", _f64, ""),
        ("size", _f64, ""),
        ("pnl", _f64, ""),
        ("return_pct", _f64, ""),
        ("bars_held", _usize, ""),
        ("direction", _side, ""),
        ("exit_reason", _exit_reason, ""),
    )
    trade = _struct(v, "Trade", spec)
    trade["direction"] = _SIDE_NAME[trade["direction"]]
    return trade


def _read_cross(v: Any) -> tuple[bool, bool]:
    f = _struct(v, "CrossMemory", (("below", _bool, ""), ("above", _bool, "")))
    return (f["below"], f["above"])


def _read_signals(v: Any) -> tuple:
    spec = (
        ("series", lambda x: _seq(x, _read_series), ""),
        ("crosses", lambda x: _seq(x, _read_cross), ""),
    )
    f = _struct(v, "SignalsState", spec)
    return (f["series"], f["crosses"])


def _read_state(v: Any) -> dict:
    spec = (
        ("bars", _usize, ""),
        ("last_date", _string, "?"),
        ("last_instant", _i128, "?"),
        ("first_close", _float, ""),
        ("last_close", _float, ""),
        ("equity", _float, ""),
        ("account", _read_account, ""),
        ("entry_date", _string, ""),
        ("signals", _read_signals, ""),
        ("metrics", _read_metrics, "?"),
        ("returns", _floats_of, ""),
        ("trades", lambda x: _seq(x, _read_trade), ""),
        ("equity_curve", _floats_of, "null"),
    )
    return _struct(v, "LiveState", spec)


def _check_consistent(state: dict) -> None:
    """``check_consistent`` of src/stream/live.rs: what the step needs to go on."""
    metrics, returns, bars = state["metrics"], state["returns"], state["bars"]
    kept = 0 if metrics is None else metrics["count"]
    if len(returns) != kept or (metrics is not None) != (bars > 0):
        raise _Corrupt(
            f"it holds {len(returns)} returns and {bars} bars where its metrics count {kept}"
        )
    curve = state["equity_curve"]
    if curve is not None and len(curve) != bars:
        raise _Corrupt(f"its equity curve has {len(curve)} bars, not {bars}")
    acc = state["account"]
    closes = acc["pending"] in (CLOSE, REVERSE_TO_LONG, REVERSE_TO_SHORT)
    if (closes and acc["position"] is None) or (
        acc["position"] is not None and not acc["size"] > 0.0
    ):
        raise _Corrupt("its position and pending order do not go together")
