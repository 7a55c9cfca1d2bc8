"""Strategies as data: a builder for the JSON strategy trees of ``docs/STRATEGIES.md``.

::

    from quant_backtest import strategy as qs

    fast, slow = qs.sma(10), qs.sma(30)
    s = qs.Strategy(entry=fast.crosses_above(slow), exit=fast.crosses_below(slow),
                    commission_rate=0.0005)
    s.to_json()            # the canonical JSON every engine reads
    qs.sma_cross()         # the same tree with placeholders param("fast"), param("slow")

Nodes are values: immutable, hashable, and ``==`` compares their structure (two nodes are equal
when their canonical JSON values are equal). ``==`` therefore never builds a condition; the
comparisons that do are ``>``, ``<``, ``>=``, ``<=`` and ``crosses_above`` / ``crosses_below``.
Conditions combine with ``&``, ``|`` and ``~`` (Python's ``and`` / ``or`` / ``not`` cannot be
overloaded, so a condition refuses ``bool()``).
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any, Iterator, Mapping, Optional, Union

from ._errors import BacktestError
from ._fallback import settings as _settings
from ._fallback import strategy as _tree
from ._fallback.names import describe_value as _describe
from ._fallback.names import nearest as _nearest
from ._fallback.settings import check_settings
from ._fallback.strategy import MAX_INT_PARAM, PRICE_COLUMNS, SIDES, STRATEGY_KEYS, parse_strategy

__all__ = [
    "Series",
    "PriceColumn",
    "Constant",
    "Param",
    "Indicator",
    "MultiOutputIndicator",
    "Shift",
    "Condition",
    "Comparison",
    "And",
    "Or",
    "Not",
    "Strategy",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "param",
    "constant",
    "sma",
    "ema",
    "wma",
    "rsi",
    "macd",
    "bbands",
    "atr",
    "stddev",
    "roc",
    "highest",
    "lowest",
    "sma_cross",
    "ema_cross",
    "rsi_reversion",
    "macd_cross",
    "bollinger_reversion",
    "donchian_breakout",
    "json_schema",
    "SETTINGS",
]

# The engine's own tables (the pure-Python engine is the readable mirror of the core): one
# catalog of indicators, price columns, keys and settings for the builder and the engine.
COMPARISONS = _tree.COMPARISONS + _tree.CROSSES
CONDITION_KEYS = _tree.CONDITIONS
SETTINGS = _settings.SETTING_NAMES
_INDICATORS = _tree.INDICATORS
_OPERATOR_SYMBOLS = {"gt": ">", "lt": "<", "ge": ">=", "le": "<="}


# --------------------------------------------------------------------------------------------
# Small helpers: hashing JSON values. Messages and nearest names are the engine's own.
# --------------------------------------------------------------------------------------------


def _frozen(value: Any) -> Any:
    """A hashable twin of a JSON value (numbers hash as Python numbers: 30 == 30.0)."""
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------------------------


class _Node:
    """Shared by series and conditions: equality, hashing and immutability by JSON value."""

    __slots__ = ()

    def to_value(self) -> Any:
        """The node's canonical JSON value (a string, a number or a dict)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        """Structural equality (same canonical JSON value); never builds a condition."""
        if not isinstance(other, _Node):
            return NotImplemented
        return isinstance(other, Series) == isinstance(self, Series) and (
            self.to_value() == other.to_value()
        )

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((isinstance(self, Series), _frozen(self.to_value())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _set(self, **fields: Any) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def _params(self) -> Iterator[str]:
        """Placeholder names in tree order (JSON key order), repeats included."""
        return iter(())

    def _bind(self, values: Mapping[str, Any]) -> _Node:
        return self


class Series(_Node):
    """A value per bar: a price column, a constant, a placeholder, an indicator or a lag.

    ``>``, ``<``, ``>=``, ``<=`` against a series or a number build a :class:`Comparison`
    (numbers work on either side: ``30 > qs.rsi()`` is ``qs.rsi() < 30``). ``==`` is
    structural equality of the nodes and returns a bool, never a condition.
    """

    __slots__ = ()

    def __gt__(self, other: Any) -> Comparison:
        return Comparison("gt", self, other)

    def __lt__(self, other: Any) -> Comparison:
        return Comparison("lt", self, other)

    def __ge__(self, other: Any) -> Comparison:
        return Comparison("ge", self, other)

    def __le__(self, other: Any) -> Comparison:
        return Comparison("le", self, other)

    def crosses_above(self, other: Any) -> Comparison:
        """True at ``t >= 1`` when ``self[t-1] < other[t-1]`` and ``self[t] > other[t]``."""
        return Comparison("crosses_above", self, other)

    def crosses_below(self, other: Any) -> Comparison:
        """True at ``t >= 1`` when ``self[t-1] > other[t-1]`` and ``self[t] < other[t]``."""
        return Comparison("crosses_below", self, other)

    def shift(self, periods: int = 1) -> Shift:
        """This series ``periods`` bars earlier (NaN for the first ``periods`` bars)."""
        return Shift(self, periods)

    def _not_a_condition(self, *_: Any) -> Any:
        raise TypeError(
            f"{self!r} is a series, not a condition: compare it first "
            "(qs.close > qs.sma(50)), then combine conditions with & | ~"
        )

    __and__ = __rand__ = __or__ = __ror__ = __invert__ = _not_a_condition


def _as_series(value: Any, role: str) -> Series:
    """A builder operand as a series: series stay, numbers become constants."""
    if isinstance(value, Series):
        return value
    if isinstance(value, MultiOutputIndicator):
        raise TypeError(value._not_a_series_message())
    if _is_number(value):
        return Constant(value)
    raise TypeError(
        f"{role} must be a series (qs.close, qs.sma(10), ...), a number or qs.param(name), "
        f"got {value!r} ({type(value).__name__})"
    )


class PriceColumn(Series):
    """One of the price columns ``open``, ``high``, ``low``, ``close``, ``volume``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if name not in PRICE_COLUMNS:
            raise BacktestError(
                f"unknown price column {_describe(name)}; did you mean "
                f"'{_nearest(str(name), PRICE_COLUMNS)}'?",
                "invalid_strategy",
            )
        self._set(name=name)

    def to_value(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"qs.{self.name}"


class Constant(Series):
    """A number as a series (the same value on every bar)."""

    __slots__ = ("value",)

    def __init__(self, value: Union[int, float]) -> None:
        if not _is_number(value):
            raise TypeError(f"a constant must be a number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise BacktestError(
                f"a constant must be a finite number (JSON has no {_describe(value)})",
                "invalid_strategy",
            )
        self._set(value=value)

    def to_value(self) -> Union[int, float]:
        return self.value

    def __repr__(self) -> str:
        return f"qs.constant({self.value!r})"


class Param(Series):
    """A named placeholder, filled from the params of a run or a sweep.

    ``qs.param("fast") < qs.param("slow")`` is a constraint condition for a sweep.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise BacktestError(
                f"param must be a non-empty string, got {_describe(name)}", "invalid_strategy"
            )
        self._set(name=name)

    def to_value(self) -> dict:
        return {"param": self.name}

    def _params(self) -> Iterator[str]:
        yield self.name

    def _bind(self, values: Mapping[str, Any]) -> Series:
        if self.name not in values:
            return self
        value = values[self.name]
        if not _is_number(value):
            raise BacktestError(
                f"param '{self.name}' must be a number, got {_describe(value)}", "invalid_grid"
            )
        return Constant(value)

    def __repr__(self) -> str:
        return f"qs.param({self.name!r})"


ParamValue = Union[int, float, Param]


def _check_param(indicator: str, key: str, kind: str, value: Any) -> ParamValue:
    """An indicator parameter as the engines check it (numbers or placeholders)."""
    if isinstance(value, Param):
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise BacktestError(
                f"{indicator} {key} must be an integer >= 1, got {_describe(value)}",
                "invalid_strategy",
            )
        if value > MAX_INT_PARAM:
            raise BacktestError(
                f"{indicator} {key} must be an integer <= {MAX_INT_PARAM}, got {value}",
                "invalid_strategy",
            )
        return value
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise BacktestError(
            f"{indicator} {key} must be a finite number >= 0, got {_describe(value)}",
            "invalid_strategy",
        )
    return float(value)  # canonical: k is a float (2 -> 2.0)


def _param_value(value: ParamValue) -> Any:
    return value.to_value() if isinstance(value, Param) else value


class Indicator(Series):
    """An indicator of a source series with its parameters (every one explicit), and for
    ``macd`` / ``bbands`` the output it names. Build with ``qs.sma(10)``, ``qs.macd().signal``,
    ..."""

    __slots__ = ("name", "params", "source", "output")

    def __init__(
        self,
        name: str,
        params: Mapping[str, Any],
        source: Any = None,
        output: Optional[str] = None,
    ) -> None:
        if name not in _INDICATORS:
            raise BacktestError(
                f"unknown indicator {_describe(name)}; did you mean "
                f"'{_nearest(str(name), tuple(_INDICATORS))}'?",
                "invalid_strategy",
            )
        catalog = _INDICATORS[name]
        spec = [(key, default, kind) for key, kind, default in catalog.params]
        outputs, has_source = catalog.outputs, catalog.has_source
        known = tuple(key for key, _, _ in spec)
        for key in params:
            if key not in known:
                raise BacktestError(
                    f"unknown parameter {_describe(key)} of indicator '{name}'; did you mean "
                    f"'{_nearest(str(key), known)}'?",
                    "invalid_strategy",
                )
        checked: dict[str, ParamValue] = {}
        for key, default, kind in spec:
            if key not in params and default is None:
                raise BacktestError(f"{name} {key} is required", "invalid_strategy")
            value = params.get(key, default)
            checked[key] = _check_param(name, key, kind, value)
        if name == "macd":
            fast, slow = checked["fast"], checked["slow"]
            if _is_number(fast) and _is_number(slow) and not fast < slow:  # type: ignore[operator]
                raise BacktestError(
                    f"macd needs fast < slow, got fast={fast} and slow={slow}", "invalid_strategy"
                )
        if has_source:
            source = close if source is None else _as_series(source, f"the source of {name}")
        elif source is not None:
            raise TypeError(f"{name} has no source: it reads high, low and close")
        if outputs:
            if output not in outputs:
                raise BacktestError(
                    f"{name} needs an output: one of {', '.join(outputs)}", "invalid_strategy"
                )
        elif output is not None:
            raise BacktestError(
                f"{name} has one output; got output {_describe(output)}", "invalid_strategy"
            )
        self._set(name=name, params=checked, source=source, output=output)

    def to_value(self) -> dict:
        value: dict[str, Any] = {"indicator": self.name}
        for key, item in self.params.items():
            value[key] = _param_value(item)
        if self.source is not None:
            value["source"] = self.source.to_value()
        if self.output is not None:
            value["output"] = self.output
        return value

    def _params(self) -> Iterator[str]:
        for item in self.params.values():
            if isinstance(item, Param):
                yield item.name
        if self.source is not None:
            yield from self.source._params()

    def _bind(self, values: Mapping[str, Any]) -> Indicator:
        params = {
            key: item._bind(values).to_value() if isinstance(item, Param) else item
            for key, item in self.params.items()
        }
        params = {key: _param_from(item) for key, item in params.items()}
        source = None if self.source is None else self.source._bind(values)
        return Indicator(self.name, params, source, self.output)

    def __repr__(self) -> str:
        return _indicator_repr(self.name, self.params, self.source) + (
            f".{self.output}" if self.output else ""
        )


def _indicator_repr(name: str, params: Mapping[str, ParamValue], source: Any) -> str:
    arguments = [repr(item) for item in params.values()]
    if source is not None and source != close:
        arguments.append(f"source={source!r}")
    return f"qs.{name}({', '.join(arguments)})"


class MultiOutputIndicator:
    """``qs.macd(...)`` / ``qs.bbands(...)``: not a series itself; its outputs are
    (``.macd``, ``.signal``, ``.hist`` / ``.upper``, ``.middle``, ``.lower``)."""

    __slots__ = ("name", "params", "source")

    def __init__(self, name: str, params: Mapping[str, Any], source: Any) -> None:
        probe = Indicator(name, params, source, _INDICATORS[name].outputs[0])  # checks the params
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", probe.params)
        object.__setattr__(self, "source", probe.source)

    def output(self, name: str) -> Indicator:
        """The output called ``name`` as a series."""
        return Indicator(self.name, self.params, self.source, name)

    def _not_a_series_message(self) -> str:
        outputs = ", ".join(f".{name}" for name in _INDICATORS[self.name].outputs)
        return (
            f"{self!r} has several outputs and is not a series itself: "
            f"use one of {outputs} (for example {self!r}.{_INDICATORS[self.name].outputs[0]})"
        )

    def _refuse(self, *_: Any) -> Any:
        raise TypeError(self._not_a_series_message())

    __gt__ = __lt__ = __ge__ = __le__ = _refuse
    crosses_above = crosses_below = shift = _refuse

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiOutputIndicator):
            return NotImplemented
        return self.output(_INDICATORS[self.name].outputs[0]) == other.output(
            _INDICATORS[other.name].outputs[0]
        )

    def __hash__(self) -> int:
        return hash(self.output(_INDICATORS[self.name].outputs[0]))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return _indicator_repr(self.name, self.params, self.source)


class _MACD(MultiOutputIndicator):
    __slots__ = ()

    @property
    def macd(self) -> Indicator:
        """The MACD line: fast EMA - slow EMA."""
        return self.output("macd")

    @property
    def signal(self) -> Indicator:
        """The signal line: the EMA of the MACD line."""
        return self.output("signal")

    @property
    def hist(self) -> Indicator:
        """The histogram: macd - signal."""
        return self.output("hist")


class _BBANDS(MultiOutputIndicator):
    __slots__ = ()

    @property
    def upper(self) -> Indicator:
        """middle + k * population standard deviation."""
        return self.output("upper")

    @property
    def middle(self) -> Indicator:
        """The SMA of the source."""
        return self.output("middle")

    @property
    def lower(self) -> Indicator:
        """middle - k * population standard deviation."""
        return self.output("lower")


class Shift(Series):
    """A series ``periods`` bars earlier: ``{"shift": <series>, "periods": 1}``."""

    __slots__ = ("series", "periods")

    def __init__(self, series: Any, periods: int = 1) -> None:
        series = _as_series(series, "the series of shift")
        if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
            raise BacktestError(
                f"shift periods must be an integer >= 1, got {_describe(periods)}",
                "invalid_strategy",
            )
        if periods > MAX_INT_PARAM:
            raise BacktestError(
                f"shift periods must be an integer <= {MAX_INT_PARAM}, got {periods}",
                "invalid_strategy",
            )
        self._set(series=series, periods=periods)

    def to_value(self) -> dict:
        return {"shift": self.series.to_value(), "periods": self.periods}

    def _params(self) -> Iterator[str]:
        return self.series._params()

    def _bind(self, values: Mapping[str, Any]) -> Shift:
        return Shift(self.series._bind(values), self.periods)

    def __repr__(self) -> str:
        return f"{self.series!r}.shift({self.periods})"


class Condition(_Node):
    """A boolean per bar. Combine with ``&`` (and), ``|`` (or), ``~`` (not); nested ands
    (ors) built with ``&`` (``|``) are flattened into one list. ``==`` is structural equality
    and returns a bool. A condition has no truth value: ``bool(c)``, ``and``, ``or``, ``not``
    and chained comparisons (``30 < rsi < 70``) raise ``TypeError``."""

    __slots__ = ()

    def __and__(self, other: Any) -> And:
        other = _as_condition(other, "&")
        return And(*_flatten(And, self), *_flatten(And, other))

    def __or__(self, other: Any) -> Or:
        other = _as_condition(other, "|")
        return Or(*_flatten(Or, self), *_flatten(Or, other))

    def __rand__(self, other: Any) -> And:
        return _as_condition(other, "&") & self

    def __ror__(self, other: Any) -> Or:
        return _as_condition(other, "|") | self

    def __invert__(self) -> Not:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "a condition has no truth value: combine conditions with & | ~ instead of "
            "and / or / not, with parentheses around comparisons: (a > b) & (c < d); "
            "write 30 < rsi < 70 as (rsi > 30) & (rsi < 70)"
        )

    def to_dict(self) -> dict:
        """The condition's canonical JSON value (the same as :meth:`to_value`)."""
        return self.to_value()


def _as_condition(value: Any, symbol: str) -> Condition:
    if isinstance(value, Condition):
        return value
    raise TypeError(
        f"{symbol} combines two conditions (comparisons such as qs.close > qs.sma(50)), "
        f"got {value!r} ({type(value).__name__})"
    )


def _flatten(kind: type, condition: Condition) -> tuple[Condition, ...]:
    return condition.conditions if type(condition) is kind else (condition,)  # type: ignore


class Comparison(Condition):
    """``{"gt": [a, b]}`` and the other comparisons: ``gt``, ``lt``, ``ge``, ``le``,
    ``crosses_above``, ``crosses_below``. NaN on either side is false."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Any, right: Any) -> None:
        if op not in COMPARISONS:
            raise BacktestError(
                f"unknown condition {_describe(op)}; did you mean "
                f"'{_nearest(str(op), COMPARISONS)}'?",
                "invalid_strategy",
            )
        shown = _OPERATOR_SYMBOLS.get(op, op)
        left = _as_series(left, f"the left side of {shown}")
        right = _as_series(right, f"the right side of {shown}")
        self._set(op=op, left=left, right=right)

    def to_value(self) -> dict:
        return {self.op: [self.left.to_value(), self.right.to_value()]}

    def _params(self) -> Iterator[str]:
        yield from self.left._params()
        yield from self.right._params()

    def _bind(self, values: Mapping[str, Any]) -> Comparison:
        return Comparison(self.op, self.left._bind(values), self.right._bind(values))

    def __repr__(self) -> str:
        # A number on the right reads as written (the builder turns it into a constant).
        right = repr(self.right.value) if isinstance(self.right, Constant) else repr(self.right)
        if self.op in _OPERATOR_SYMBOLS:
            return f"{self.left!r} {_OPERATOR_SYMBOLS[self.op]} {right}"
        return f"{self.left!r}.{self.op}({right})"


class _Combination(Condition):
    __slots__ = ("conditions",)
    _key = ""
    _symbol = ""

    def __init__(self, *conditions: Condition) -> None:
        if len(conditions) < 2:
            raise BacktestError(
                f"{self._key} needs at least 2 conditions, got {len(conditions)}",
                "invalid_strategy",
            )
        self._set(conditions=tuple(_as_condition(c, self._symbol) for c in conditions))

    def to_value(self) -> dict:
        return {self._key: [condition.to_value() for condition in self.conditions]}

    def _params(self) -> Iterator[str]:
        for condition in self.conditions:
            yield from condition._params()

    def _bind(self, values: Mapping[str, Any]) -> Condition:
        return type(self)(*(condition._bind(values) for condition in self.conditions))

    def __repr__(self) -> str:
        return f" {self._symbol} ".join(f"({condition!r})" for condition in self.conditions)


class And(_Combination):
    """``{"and": [c1, c2, ...]}``: every condition holds. Built by ``c1 & c2``."""

    __slots__ = ()
    _key = "and"
    _symbol = "&"


class Or(_Combination):
    """``{"or": [c1, c2, ...]}``: at least one condition holds. Built by ``c1 | c2``."""

    __slots__ = ()
    _key = "or"
    _symbol = "|"


class Not(Condition):
    """``{"not": c}``: the condition does not hold (true where c compares NaN)."""

    __slots__ = ("condition",)

    def __init__(self, condition: Condition) -> None:
        self._set(condition=_as_condition(condition, "~"))

    def to_value(self) -> dict:
        return {"not": self.condition.to_value()}

    def _params(self) -> Iterator[str]:
        return self.condition._params()

    def _bind(self, values: Mapping[str, Any]) -> Not:
        return Not(self.condition._bind(values))

    def __repr__(self) -> str:
        return f"~({self.condition!r})"


# --------------------------------------------------------------------------------------------
# The builder's vocabulary
# --------------------------------------------------------------------------------------------

open = PriceColumn("open")  # noqa: A001 - the column's name
high = PriceColumn("high")
low = PriceColumn("low")
close = PriceColumn("close")
volume = PriceColumn("volume")


def param(name: str) -> Param:
    """A placeholder filled by a run's or a sweep's ``params``: ``qs.sma(qs.param("fast"))``."""
    return Param(name)


def constant(value: Union[int, float]) -> Constant:
    """A number as a series. Rarely needed: comparisons take numbers directly."""
    return Constant(value)


def sma(period: ParamValue, *, source: Any = None) -> Indicator:
    """Simple moving average; first valid index ``period - 1``."""
    return Indicator("sma", {"period": period}, source)


def ema(period: ParamValue, *, source: Any = None) -> Indicator:
    """Exponential moving average (alpha 2/(period+1), seeded with the SMA); first valid
    index ``period - 1``."""
    return Indicator("ema", {"period": period}, source)


def wma(period: ParamValue, *, source: Any = None) -> Indicator:
    """Linearly weighted moving average; first valid index ``period - 1``."""
    return Indicator("wma", {"period": period}, source)


def rsi(period: ParamValue = 14, *, source: Any = None) -> Indicator:
    """Wilder's relative strength index (0..100); first valid index ``period``."""
    return Indicator("rsi", {"period": period}, source)


def macd(
    fast: ParamValue = 12, slow: ParamValue = 26, signal: ParamValue = 9, *, source: Any = None
) -> _MACD:
    """MACD (TA-Lib's alignment): use ``.macd``, ``.signal`` or ``.hist``; all three valid
    from ``slow - 1 + signal - 1``. Needs ``fast < slow``."""
    return _MACD("macd", {"fast": fast, "slow": slow, "signal": signal}, source)


def bbands(period: ParamValue = 20, k: ParamValue = 2.0, *, source: Any = None) -> _BBANDS:
    """Bollinger bands (SMA +- k population standard deviations): use ``.upper``,
    ``.middle`` or ``.lower``; first valid index ``period - 1``."""
    return _BBANDS("bbands", {"period": period, "k": k}, source)


def atr(period: ParamValue = 14) -> Indicator:
    """Wilder's average true range of high, low and close; first valid index ``period``."""
    return Indicator("atr", {"period": period})


def stddev(period: ParamValue, *, source: Any = None) -> Indicator:
    """Population standard deviation (TA-Lib STDDEV); first valid index ``period - 1``."""
    return Indicator("stddev", {"period": period}, source)


def roc(period: ParamValue = 10, *, source: Any = None) -> Indicator:
    """Rate of change in percent; first valid index ``period``."""
    return Indicator("roc", {"period": period}, source)


def highest(period: ParamValue, *, source: Any = None) -> Indicator:
    """Rolling maximum over ``period`` bars (Donchian upper); first valid index ``period-1``."""
    return Indicator("highest", {"period": period}, source)


def lowest(period: ParamValue, *, source: Any = None) -> Indicator:
    """Rolling minimum over ``period`` bars (Donchian lower); first valid index ``period-1``."""
    return Indicator("lowest", {"period": period}, source)


# --------------------------------------------------------------------------------------------
# Reading JSON values back into nodes (after the engine's checks, see Strategy.from_dict)
# --------------------------------------------------------------------------------------------


def _series_from(value: Any) -> Series:
    if isinstance(value, str):
        return PriceColumn(value)
    if _is_number(value):
        return Constant(value)
    if isinstance(value, dict):
        if "param" in value:
            return Param(value["param"])
        if "shift" in value:
            return Shift(_series_from(value["shift"]), value.get("periods", 1))
        if "indicator" in value:
            name = value["indicator"]
            params = {
                key: _param_from(item)
                for key, item in value.items()
                if key not in ("indicator", "source", "output")
            }
            source = _series_from(value["source"]) if "source" in value else None
            return Indicator(name, params, source, value.get("output"))
    raise BacktestError(
        'a series must be a price column, a number, {"param": name}, {"indicator": ...} '
        f'or {{"shift": ...}}, got {_describe(value)}',
        "invalid_strategy",
    )


def _param_from(value: Any) -> Any:
    if isinstance(value, dict) and "param" in value:
        return Param(value["param"])
    return value


def _condition_from(value: Any) -> Condition:
    if not isinstance(value, dict) or len(value) != 1:
        raise BacktestError(
            "a condition must be an object with one key (gt, lt, ge, le, crosses_above, "
            f"crosses_below, and, or, not), got {_describe(value)}",
            "invalid_strategy",
        )
    ((key, operands),) = value.items()
    if key == "not":
        return Not(_condition_from(operands))
    if key in ("and", "or"):
        if not isinstance(operands, list):
            raise BacktestError(f"{key} must be a list of conditions", "invalid_strategy")
        kind = And if key == "and" else Or
        return kind(*(_condition_from(item) for item in operands))
    if not isinstance(operands, list) or len(operands) != 2:
        raise BacktestError(f"{key} must be a list of 2 series", "invalid_strategy")
    return Comparison(key, _series_from(operands[0]), _series_from(operands[1]))


def _engine_check(obj: Any) -> None:
    """The engines' strategy check: the first bad node, with its path and exact message."""

    parse_strategy(obj)


# --------------------------------------------------------------------------------------------
# Settings and constraints
# --------------------------------------------------------------------------------------------


def _check_settings(settings: Mapping[str, Any], where: str = "") -> None:
    """Known names (the nearest in the message), then the values as the engines check them
    (``stop_loss must be in (0, 1), got 1.5``)."""
    for name in settings:
        if name not in SETTINGS:
            raise BacktestError(
                f"unknown setting {_describe(name)}{where}; did you mean "
                f"'{_nearest(str(name), SETTINGS)}'?",
                "invalid_parameter",
            )

    check_settings(settings)


def _check_constraint_operands(condition: Condition, path: str) -> None:
    """A constraint compares numbers and placeholders only (it is evaluated on params)."""
    if isinstance(condition, Comparison):
        for index, side in enumerate((condition.left, condition.right)):
            if not isinstance(side, (Constant, Param)):
                raise BacktestError(
                    f'{path}.{condition.op}[{index}] must be a number or {{"param": name}} '
                    f"in a constraint, got {_describe(side.to_value())}",
                    "invalid_strategy",
                )
    elif isinstance(condition, _Combination):
        for index, item in enumerate(condition.conditions):
            _check_constraint_operands(item, f"{path}.{condition._key}[{index}]")
    elif isinstance(condition, Not):
        _check_constraint_operands(condition.condition, f"{path}.not")


def _holds(condition: Condition) -> bool:
    """A constraint with every placeholder bound, on its numbers (constants never cross)."""
    if isinstance(condition, Comparison):
        a, b = condition.left.to_value(), condition.right.to_value()
        return {
            "gt": a > b,
            "lt": a < b,
            "ge": a >= b,
            "le": a <= b,
        }.get(condition.op, False)
    if isinstance(condition, And):
        return all(_holds(item) for item in condition.conditions)
    if isinstance(condition, Or):
        return any(_holds(item) for item in condition.conditions)
    return not _holds(condition.condition)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Strategy
# --------------------------------------------------------------------------------------------


class Strategy:
    """A strategy as a value: the long side (``entry``, ``exit``), the short side
    (``short_entry``, ``short_exit``), a ``constraint`` on its placeholders (the default
    constraint of a sweep) and execution settings (the defaults of a run; a run's own
    settings override them key by key).

    ``==`` compares the canonical JSON values; strategies are hashable and immutable.
    """

    __slots__ = ("entry", "exit", "short_entry", "short_exit", "constraint", "_settings", "_wire")

    def __init__(
        self,
        entry: Optional[Condition] = None,
        exit: Optional[Condition] = None,
        short_entry: Optional[Condition] = None,
        short_exit: Optional[Condition] = None,
        constraint: Optional[Condition] = None,
        **settings: Any,
    ) -> None:
        sides = {"entry": entry, "exit": exit, "short_entry": short_entry, "short_exit": short_exit}
        for name, condition in {**sides, "constraint": constraint}.items():
            if condition is not None and not isinstance(condition, Condition):
                if isinstance(condition, Series):
                    hint = " (a series; compare it: qs.close > qs.sma(50))"
                else:
                    hint = ""
                raise TypeError(
                    f"{name} must be a condition or None, got {condition!r}"
                    f" ({type(condition).__name__}){hint}"
                )
        if constraint is not None:
            _check_constraint_operands(constraint, "constraint")
        _check_settings(settings)
        for name, condition in sides.items():
            object.__setattr__(self, name, condition)
        object.__setattr__(self, "constraint", constraint)
        object.__setattr__(
            self, "_settings", {name: settings[name] for name in SETTINGS if name in settings}
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Strategy is immutable: use bind() or with_settings()")

    @property
    def settings(self) -> dict:
        """The strategy's execution settings (a copy), in the table's order."""
        return dict(self._settings)

    @property
    def params(self) -> tuple[str, ...]:
        """Placeholder names in first-use order: entry, exit, short_entry, short_exit, then
        the constraint."""
        names: dict[str, None] = {}
        for condition in self._conditions().values():
            for name in condition._params():
                names.setdefault(name, None)
        return tuple(names)

    def _conditions(self) -> dict[str, Condition]:
        items = {name: getattr(self, name) for name in SIDES + ("constraint",)}
        return {name: condition for name, condition in items.items() if condition is not None}

    def bind(self, **values: Union[int, float]) -> Strategy:
        """A copy with the named placeholders replaced by numbers (the rest stay). A
        constraint left without placeholders is checked and dropped: binding values that
        break it raises ``BacktestError`` (code ``invalid_grid``)."""
        known = self.params
        for name in values:
            if name not in known:
                hint = (
                    f"; did you mean '{_nearest(str(name), known)}'?"
                    if known
                    else " (the strategy has no params)"
                )
                raise BacktestError(f"unknown param {_describe(name)}{hint}", "invalid_grid")
        bound = {name: condition._bind(values) for name, condition in self._conditions().items()}
        constraint = bound.pop("constraint", None)
        if constraint is not None and not any(True for _ in constraint._params()):
            if not _holds(constraint):
                shown = ", ".join(f"{name}={_describe(value)}" for name, value in values.items())
                raise BacktestError(
                    f"the params {shown} break the constraint {self.constraint!r}",
                    "invalid_grid",
                )
            constraint = None
        return Strategy(**bound, constraint=constraint, **self._settings)

    def with_settings(self, **settings: Any) -> Strategy:
        """A copy with these settings added or replacing the strategy's own."""
        return Strategy(**self._conditions(), **{**self._settings, **settings})

    def to_dict(self) -> dict:
        """The canonical JSON value: keys ``entry``, ``exit``, ``short_entry``,
        ``short_exit``, ``settings``, ``constraint`` in this order, absent ones omitted."""
        value: dict[str, Any] = {}
        for name in SIDES:
            condition = getattr(self, name)
            if condition is not None:
                value[name] = condition.to_value()
        if self._settings:
            value["settings"] = dict(self._settings)
        if self.constraint is not None:
            value["constraint"] = self.constraint.to_value()
        return value

    def _wire_value(self) -> dict:
        """The canonical value, made once (a strategy is immutable) and shared: for the
        engines, which only read it; users get a fresh one from ``to_dict()``."""
        wire = getattr(self, "_wire", None)
        if wire is None:
            wire = self.to_dict()
            object.__setattr__(self, "_wire", wire)
        return wire

    def to_json(self, indent: Optional[int] = None) -> str:
        """The canonical JSON text (compact without ``indent``)."""
        separators = (",", ":") if indent is None else None
        return json.dumps(self.to_dict(), indent=indent, separators=separators, allow_nan=False)

    @classmethod
    def from_dict(cls, obj: Any) -> Strategy:
        """A strategy from its JSON value, checked as the engines check it (``BacktestError``
        with the path of the first bad node)."""
        _engine_check(obj)
        if not isinstance(obj, dict):
            raise BacktestError(
                f"strategy must be an object, got {_describe(obj)}", "invalid_strategy"
            )
        for key in obj:
            if key not in STRATEGY_KEYS:
                raise BacktestError(
                    f"unknown key {_describe(key)} in strategy; did you mean "
                    f"'{_nearest(str(key), STRATEGY_KEYS)}'?",
                    "invalid_strategy",
                )
        conditions = {
            name: _condition_from(obj[name])
            for name in SIDES + ("constraint",)
            if obj.get(name) is not None
        }
        settings = obj.get("settings") or {}
        if not isinstance(settings, dict):
            raise BacktestError(
                f"strategy.settings must be an object, got {_describe(settings)}",
                "invalid_parameter",
            )
        _check_settings(settings, " in strategy.settings")
        return cls(**conditions, **settings)

    @classmethod
    def from_json(cls, text: Union[str, bytes]) -> Strategy:
        """A strategy from JSON text (see :meth:`from_dict`)."""
        try:
            obj = json.loads(text)
        except ValueError as error:
            raise BacktestError(
                f"strategy is not valid JSON: {error}", "invalid_strategy"
            ) from None
        return cls.from_dict(obj)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Strategy):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(_frozen(self.to_dict()))

    def __repr__(self) -> str:
        parts = [f"{name}={condition!r}" for name, condition in self._conditions().items()]
        parts += [f"{name}={value!r}" for name, value in self._settings.items()]
        return f"qs.Strategy({', '.join(parts)})"


# --------------------------------------------------------------------------------------------
# Presets (SPEC part 7): each exactly the tree it names, see docs/STRATEGIES.md
# --------------------------------------------------------------------------------------------


def _placeholder(value: Optional[ParamValue], name: str) -> ParamValue:
    return Param(name) if value is None else value


def _cross(
    average: Any, fast: Optional[ParamValue], slow: Optional[ParamValue], settings: dict
) -> Strategy:
    fast, slow = _placeholder(fast, "fast"), _placeholder(slow, "slow")
    fast_line, slow_line = average(fast), average(slow)
    constraint = fast < slow if isinstance(fast, Param) and isinstance(slow, Param) else None
    return Strategy(
        entry=fast_line.crosses_above(slow_line),
        exit=fast_line.crosses_below(slow_line),
        constraint=constraint,
        **settings,
    )


def sma_cross(
    fast: Optional[ParamValue] = None, slow: Optional[ParamValue] = None, **settings: Any
) -> Strategy:
    """Enter when sma(fast) crosses above sma(slow), exit when it crosses below (the seed's
    strategy). A period left ``None`` is the placeholder ``param("fast")`` / ``param("slow")``;
    with both placeholders the constraint is ``fast < slow``."""
    return _cross(sma, fast, slow, settings)


def ema_cross(
    fast: Optional[ParamValue] = None, slow: Optional[ParamValue] = None, **settings: Any
) -> Strategy:
    """As :func:`sma_cross` with EMAs."""
    return _cross(ema, fast, slow, settings)


def rsi_reversion(
    period: ParamValue = 14, lower: ParamValue = 30, upper: ParamValue = 70, **settings: Any
) -> Strategy:
    """Enter when rsi(period) crosses below ``lower``, exit when it crosses above ``upper``."""
    line = rsi(period)
    return Strategy(entry=line.crosses_below(lower), exit=line.crosses_above(upper), **settings)


def macd_cross(
    fast: ParamValue = 12, slow: ParamValue = 26, signal: ParamValue = 9, **settings: Any
) -> Strategy:
    """Enter when the MACD line crosses above its signal line, exit when it crosses below."""
    lines = macd(fast, slow, signal)
    return Strategy(
        entry=lines.macd.crosses_above(lines.signal),
        exit=lines.macd.crosses_below(lines.signal),
        **settings,
    )


def bollinger_reversion(period: ParamValue = 20, k: ParamValue = 2.0, **settings: Any) -> Strategy:
    """Enter when close crosses below the lower band, exit when it crosses above the middle."""
    bands = bbands(period, k)
    return Strategy(
        entry=close.crosses_below(bands.lower), exit=close.crosses_above(bands.middle), **settings
    )


def donchian_breakout(period: ParamValue = 20, **settings: Any) -> Strategy:
    """Enter when close exceeds the previous bar's highest high of ``period`` bars, exit when
    it falls below the previous bar's lowest low."""
    return Strategy(
        entry=close > highest(period, source=high).shift(1),
        exit=close < lowest(period, source=low).shift(1),
        **settings,
    )


# --------------------------------------------------------------------------------------------
# The JSON Schema
# --------------------------------------------------------------------------------------------


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a strategy, as shipped in the package
    (``quant_backtest/schema/strategy.schema.json``)."""
    package = resources.files("quant_backtest")
    text = package.joinpath("schema").joinpath("strategy.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
