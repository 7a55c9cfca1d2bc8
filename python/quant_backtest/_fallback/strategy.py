"""Strategy trees (CONVENTIONS.md, "Strategy trees", "Checking a strategy", "Params").

A strategy arrives as plain values (dict, list, str, int, float, bool, None: parsed JSON).
:func:`parse_strategy` checks it, first failure first, with the exact messages, and returns a
:class:`Strategy` of the node classes below, placeholders kept. :func:`bind_params` fills the
placeholders of one run (each value checked as if written in place) and gives a tree with
numbers only, which ``signals.py`` evaluates.

Codes: the tree ``invalid_strategy``; its ``settings`` ``invalid_parameter``; a run's missing
or unknown params ``invalid_grid``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Union

from .._errors import BacktestError
from .names import describe_value, is_number, nearest, to_float
from .settings import check_settings

MAX_INT_PARAM = 2_147_483_647

STRATEGY_KEYS = ("entry", "exit", "short_entry", "short_exit", "settings", "constraint")
SIDES = ("entry", "exit", "short_entry", "short_exit")
COMPARISONS = ("gt", "lt", "ge", "le")
CROSSES = ("crosses_above", "crosses_below")
CONDITIONS = (*COMPARISONS, *CROSSES, "and", "or", "not")
PRICE_COLUMNS = ("open", "high", "low", "close", "volume")

_CONDITION_HELP = (
    "a condition (an object with one key: gt, lt, ge, le, crosses_above, crosses_below, "
    "and, or, not)"
)
_SERIES_HELP = (
    'a series (a price column, a number, {"param": name}, {"indicator": ...} or {"shift": ...})'
)


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator's params ``(name, kind, default)`` in table order (kind ``"int"`` or
    ``"float"``; default ``None``: required), whether it reads a source, and its outputs
    (empty for one output)."""

    params: tuple[tuple[str, str, Optional[float]], ...]
    has_source: bool = True
    outputs: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        """The keys an indicator object may have, in the order of nearest-name ties."""
        names = tuple(p[0] for p in self.params)
        source = ("source",) if self.has_source else ()
        output = ("output",) if self.outputs else ()
        return ("indicator", *names, *source, *output)


_REQUIRED_PERIOD = (("period", "int", None),)
INDICATORS: dict[str, IndicatorSpec] = {
    "sma": IndicatorSpec(_REQUIRED_PERIOD),
    "ema": IndicatorSpec(_REQUIRED_PERIOD),
    "wma": IndicatorSpec(_REQUIRED_PERIOD),
    "rsi": IndicatorSpec((("period", "int", 14),)),
    "macd": IndicatorSpec(
        (("fast", "int", 12), ("slow", "int", 26), ("signal", "int", 9)),
        outputs=("macd", "signal", "hist"),
    ),
    "bbands": IndicatorSpec(
        (("period", "int", 20), ("k", "float", 2.0)), outputs=("upper", "middle", "lower")
    ),
    "atr": IndicatorSpec((("period", "int", 14),), has_source=False),
    "stddev": IndicatorSpec(_REQUIRED_PERIOD),
    "roc": IndicatorSpec((("period", "int", 10),)),
    "highest": IndicatorSpec(_REQUIRED_PERIOD),
    "lowest": IndicatorSpec(_REQUIRED_PERIOD),
}

# --------------------------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A placeholder ``{"param": name}``; ``path`` is where it stands (for messages)."""

    name: str
    path: str


@dataclass(frozen=True)
class Price:
    column: str


@dataclass(frozen=True)
class Const:
    value: float


@dataclass(frozen=True)
class Indicator:
    """``params``: ``(name, value)`` in table order, defaults filled; a value is an int, a
    float (``k``) or a :class:`Param`. ``source`` is None for ``atr``."""

    name: str
    params: tuple[tuple[str, Any], ...]
    source: Optional[Series]
    output: Optional[str]
    path: str


@dataclass(frozen=True)
class Shift:
    series: Series
    periods: Union[int, Param]
    path: str


Series = Union[Price, Const, Param, Indicator, Shift]


@dataclass(frozen=True)
class Compare:
    op: str  # gt, lt, ge, le
    a: Series
    b: Series


@dataclass(frozen=True)
class Cross:
    op: str  # crosses_above, crosses_below
    a: Series
    b: Series


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Union[Compare, Cross, AllOf, AnyOf, Not]


@dataclass(frozen=True)
class Strategy:
    """A checked strategy. ``params``: placeholder names in first-use order (entry, exit,
    short_entry, short_exit, then constraint); ``uses``: each name's first path in the sides;
    ``settings``: the strategy's checked settings as given."""

    entry: Optional[Condition] = None
    exit: Optional[Condition] = None
    short_entry: Optional[Condition] = None
    short_exit: Optional[Condition] = None
    settings: dict = field(default_factory=dict)
    constraint: Optional[Condition] = None
    params: tuple[str, ...] = ()
    uses: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def _refuse(message: str) -> BacktestError:
    return BacktestError(message, "invalid_strategy")


def _shown(key: Any) -> str:
    """An object key in a message: a string in single quotes, anything else as a value."""
    return f"'{key}'" if isinstance(key, str) else describe_value(key)


def _key_text(key: Any) -> str:
    """An object key's text for nearest names (a non-string as a value is written)."""
    return key if isinstance(key, str) else describe_value(key)


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    return type(value).__module__ == "numpy" and kind in ("i", "u")


def check_int_param(label: str, value: Any) -> int:
    """An integer param (``period``, ``fast``, ``periods``, ...) in ``[1, 2147483647]``."""
    if not _is_int(value) or int(value) < 1:
        raise _refuse(f"{label} must be an integer >= 1, got {describe_value(value)}")
    if int(value) > MAX_INT_PARAM:
        raise _refuse(f"{label} must be an integer <= {MAX_INT_PARAM}, got {int(value)}")
    return int(value)


def check_float_param(label: str, value: Any) -> float:
    """A float param (``k``): a finite number >= 0."""
    x = to_float(value) if is_number(value) else math.nan
    if not (math.isfinite(x) and x >= 0.0):
        raise _refuse(f"{label} must be a finite number >= 0, got {describe_value(value)}")
    return x


def check_macd(path: str, fast: Any, slow: Any) -> None:
    if not isinstance(fast, Param) and not isinstance(slow, Param) and not fast < slow:
        raise _refuse(f"{path} needs fast < slow, got fast={fast} and slow={slow}")


class _Parser:
    """One strategy's check; ``uses`` collects placeholder first uses per top-level key."""

    def __init__(self) -> None:
        self.uses: dict[str, str] = {}

    def placeholder(self, path: str, obj: dict, use_path: str) -> Param:
        name: Any = None
        for key in obj:
            if key != "param":
                raise _refuse(f"unknown key {_shown(key)} in {path} (param); did you mean 'param'?")
            name = obj[key]
            if not isinstance(name, str) or not name:
                raise _refuse(
                    f"{path}.param must be a non-empty string, got {describe_value(name)}"
                )
        self.uses.setdefault(name, use_path)
        return Param(name, use_path)

    def int_or_param(self, label: str, value: Any) -> Union[int, Param]:
        if isinstance(value, dict) and "param" in value:
            return self.placeholder(label, value, label)
        return check_int_param(label, value)

    def float_or_param(self, label: str, value: Any) -> Union[float, Param]:
        if isinstance(value, dict) and "param" in value:
            return self.placeholder(label, value, label)
        return check_float_param(label, value)

    def condition(self, path: str, obj: Any, in_constraint: bool = False) -> Condition:
        if not isinstance(obj, dict) or len(obj) != 1:
            raise _refuse(f"{path} must be {_CONDITION_HELP}, got {describe_value(obj)}")
        ((key, value),) = obj.items()
        if not isinstance(key, str) or key not in CONDITIONS:
            suggestion = nearest(_key_text(key), CONDITIONS)
            raise _refuse(
                f"unknown condition {_shown(key)} at {path}; did you mean '{suggestion}'?"
            )
        here = f"{path}.{key}"
        if key in COMPARISONS or key in CROSSES:
            if in_constraint and key in CROSSES:
                raise _refuse(
                    f"{here} is not allowed in a constraint "
                    "(it compares params: gt, lt, ge, le, and, or, not)"
                )
            if not isinstance(value, (list, tuple)):
                raise _refuse(f"{here} must be a list of 2 series, got {describe_value(value)}")
            if len(value) != 2:
                raise _refuse(f"{here} must be a list of 2 series, got {len(value)} items")
            a = self.series(f"{here}[0]", value[0], in_constraint)
            b = self.series(f"{here}[1]", value[1], in_constraint)
            return Compare(key, a, b) if key in COMPARISONS else Cross(key, a, b)
        if key == "not":
            return Not(self.condition(here, value, in_constraint))
        if not isinstance(value, (list, tuple)):
            raise _refuse(
                f"{here} must be a list of at least 2 conditions, got {describe_value(value)}"
            )
        if len(value) < 2:
            raise _refuse(f"{here} must be a list of at least 2 conditions, got {len(value)} items")
        items = tuple(
            self.condition(f"{here}[{i}]", item, in_constraint) for i, item in enumerate(value)
        )
        return AllOf(items) if key == "and" else AnyOf(items)

    def series(self, path: str, obj: Any, in_constraint: bool = False) -> Series:
        if in_constraint:
            if is_number(obj):
                return Const(to_float(obj))
            if isinstance(obj, dict) and "param" in obj:
                return self.placeholder(path, obj, path)
            raise _refuse(
                f'{path} must be a number or {{"param": name}} in a constraint, '
                f"got {describe_value(obj)}"
            )
        if isinstance(obj, str):
            if obj not in PRICE_COLUMNS:
                raise _refuse(
                    f"unknown price column '{obj}' at {path}; "
                    f"did you mean '{nearest(obj, PRICE_COLUMNS)}'?"
                )
            return Price(obj)
        if is_number(obj):
            return Const(to_float(obj))
        if isinstance(obj, dict):  # which kind: param, then indicator, then shift
            if "param" in obj:
                return self.placeholder(path, obj, path)
            if "indicator" in obj:
                return self.indicator(path, obj)
            if "shift" in obj:
                return self.shift(path, obj)
        raise _refuse(f"{path} must be {_SERIES_HELP}, got {describe_value(obj)}")

    def indicator(self, path: str, obj: dict) -> Indicator:
        name = obj["indicator"]
        if not isinstance(name, str):
            raise _refuse(f"{path}.indicator must be a string, got {describe_value(name)}")
        spec = INDICATORS.get(name)
        if spec is None:
            raise _refuse(
                f"unknown indicator '{name}' at {path}; did you mean '{nearest(name, INDICATORS)}'?"
            )
        kinds = {p[0]: p[1] for p in spec.params}
        given: dict[str, Any] = {}
        source: Optional[Series] = Price("close") if spec.has_source else None
        output: Optional[str] = None
        for key, value in obj.items():
            if key == "indicator":
                continue
            label = f"{path}.{key}"
            if key in kinds:
                check = self.int_or_param if kinds[key] == "int" else self.float_or_param
                given[key] = check(label, value)
            elif key == "source" and spec.has_source:
                source = self.series(label, value)
            elif key == "output" and spec.outputs:
                if not isinstance(value, str):
                    raise _refuse(f"{label} must be a string, got {describe_value(value)}")
                if value not in spec.outputs:
                    raise _refuse(
                        f"unknown output '{value}' at {label} (indicator '{name}'); "
                        f"did you mean '{nearest(value, spec.outputs)}'?"
                    )
                output = value
            else:
                raise _refuse(
                    f"unknown key {_shown(key)} in {path} (indicator '{name}'); "
                    f"did you mean '{nearest(_key_text(key), spec.keys())}'?"
                )
        params = []
        for pname, _kind, default in spec.params:
            if pname not in given and default is None:
                raise _refuse(f"{path}.{pname} is required (indicator '{name}')")
            params.append((pname, given.get(pname, default)))
        if spec.outputs and output is None:
            raise _refuse(
                f"{path}.output is required (indicator '{name}' has outputs "
                f"{', '.join(spec.outputs)})"
            )
        if name == "macd":
            values = dict(params)
            check_macd(path, values["fast"], values["slow"])
        return Indicator(name, tuple(params), source, output, path)

    def shift(self, path: str, obj: dict) -> Shift:
        series: Optional[Series] = None
        periods: Union[int, Param] = 1
        for key, value in obj.items():
            if key == "shift":
                series = self.series(f"{path}.shift", value)
            elif key == "periods":
                periods = self.int_or_param(f"{path}.periods", value)
            else:
                raise _refuse(
                    f"unknown key {_shown(key)} in {path} (shift); "
                    f"did you mean '{nearest(_key_text(key), ('shift', 'periods'))}'?"
                )
        assert series is not None  # "shift" is a key: series() dispatched on it
        return Shift(series, periods, path)


def parse_strategy(obj: Any) -> Strategy:
    """Check a strategy tree (plain values) and return it compiled, placeholders kept.
    A :class:`Strategy` is returned unchanged."""
    if isinstance(obj, Strategy):
        return obj
    if not isinstance(obj, dict):
        raise _refuse(f"strategy must be an object, got {describe_value(obj)}")
    parts: dict[str, Any] = {}
    uses_by_key: dict[str, dict[str, str]] = {}
    for key, value in obj.items():
        if not isinstance(key, str) or key not in STRATEGY_KEYS:
            raise _refuse(
                f"unknown key {_shown(key)} in strategy; "
                f"did you mean '{nearest(_key_text(key), STRATEGY_KEYS)}'?"
            )
        if value is None:
            continue
        if key == "settings":
            if not isinstance(value, dict):
                raise BacktestError(
                    f"strategy.settings must be an object, got {describe_value(value)}",
                    "invalid_strategy",
                )
            parts[key] = check_settings(value, "strategy.settings")
            continue
        parser = _Parser()
        parts[key] = parser.condition(key, value, in_constraint=key == "constraint")
        uses_by_key[key] = parser.uses
    uses: dict[str, str] = {}
    for key in SIDES:
        for name, where in uses_by_key.get(key, {}).items():
            uses.setdefault(name, where)
    names = list(uses)
    for name in uses_by_key.get("constraint", {}):
        if name not in names:
            names.append(name)
    return Strategy(
        entry=parts.get("entry"),
        exit=parts.get("exit"),
        short_entry=parts.get("short_entry"),
        short_exit=parts.get("short_exit"),
        settings=parts.get("settings", {}),
        constraint=parts.get("constraint"),
        params=tuple(names),
        uses=uses,
    )


def strategy_params(obj: Any) -> list[str]:
    """The placeholder names of a strategy, in first-use order (the sides, then constraint)."""
    return list(parse_strategy(obj).params)


def parse_constraint(obj: Any, code: str = "invalid_grid") -> Optional[Condition]:
    """A sweep call's constraint (plain values; None: none), with the path ``constraint``."""
    if obj is None:
        return None
    try:
        return _Parser().condition("constraint", obj, in_constraint=True)
    except BacktestError as e:
        raise BacktestError(str(e), code) from None


def check_direction(strategy: Strategy, direction: str) -> None:
    """The sides against the direction (after the settings), code ``invalid_strategy``."""
    has_long = strategy.entry is not None or strategy.exit is not None
    has_short = strategy.short_entry is not None or strategy.short_exit is not None
    if direction == "long_only" and has_short:
        raise _refuse(
            "the strategy has a short side (short_entry/short_exit) but direction is "
            "'long_only'; pass direction='both' or 'short_only'"
        )
    if direction == "short_only" and has_long:
        raise _refuse(
            "the strategy has a long side (entry/exit) but direction is 'short_only'; "
            "pass direction='both' or 'long_only'"
        )
    if direction != "short_only" and strategy.entry is None:
        raise _refuse(f"the strategy needs an entry for direction '{direction}'")
    if direction != "long_only" and strategy.short_entry is None:
        raise _refuse(f"the strategy needs a short_entry for direction '{direction}'")


# --------------------------------------------------------------------------------------------
# Binding params
# --------------------------------------------------------------------------------------------


def check_params(strategy: Strategy, values: Mapping[str, Any]) -> None:
    """A run's params: every placeholder of the sides has a value (``invalid_grid``). The
    values themselves are checked by :func:`bind_params`; call :func:`check_unknown_params`
    after it."""
    for name, where in strategy.uses.items():
        if name not in values:
            raise BacktestError(
                f"missing value for param '{name}' (used at {where})", "invalid_grid"
            )


def check_unknown_params(
    strategy: Strategy, values: Mapping[str, Any], also_used: Sequence[str] = ()
) -> None:
    """Every param given is used by the strategy (its sides or constraint) or in
    ``also_used`` (a sweep call's own constraint); candidates in first-use order."""
    used = list(strategy.params) + [name for name in also_used if name not in strategy.params]
    for name in values:
        if name not in used:
            shown = _shown(name)
            if used:
                hint = f"; did you mean '{nearest(str(name), used)}'?"
            else:
                hint = "; the strategy has no params"
            raise BacktestError(f"unknown param {shown}{hint}", "invalid_grid")


def bind_params(strategy: Strategy, values: Mapping[str, Any]) -> tuple:
    """The four sides with every placeholder replaced by its checked value (as if written in
    place), in tree order: ``(entry, exit, short_entry, short_exit)``."""
    binder = _Binder(values)
    return tuple(
        None if node is None else binder.condition(node)
        for node in (strategy.entry, strategy.exit, strategy.short_entry, strategy.short_exit)
    )


class _Binder:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def condition(self, node: Condition) -> Condition:
        if isinstance(node, (Compare, Cross)):
            return type(node)(node.op, self.series(node.a), self.series(node.b))
        if isinstance(node, Not):
            return Not(self.condition(node.item))
        return type(node)(tuple(self.condition(c) for c in node.items))

    def series(self, node: Series) -> Series:
        if isinstance(node, Param):
            value = self.values[node.name]
            if not is_number(value):
                raise _refuse(f"param '{node.name}' must be a number, got {describe_value(value)}")
            return Const(to_float(value))
        if isinstance(node, Indicator):
            params = []
            for name, value in node.params:
                if isinstance(value, Param):
                    raw = self.values[value.name]
                    if name == "k":
                        value = check_float_param(value.path, raw)
                    else:
                        value = check_int_param(value.path, raw)
                params.append((name, value))
            if node.name == "macd":
                bound = dict(params)
                check_macd(node.path, bound["fast"], bound["slow"])
            source = None if node.source is None else self.series(node.source)
            return Indicator(node.name, tuple(params), source, node.output, node.path)
        if isinstance(node, Shift):
            periods = node.periods
            if isinstance(periods, Param):
                periods = check_int_param(periods.path, self.values[periods.name])
            return Shift(self.series(node.series), periods, node.path)
        return node


def constraint_holds(node: Condition, values: Mapping[str, Any]) -> bool:
    """Evaluate a constraint (numbers and placeholders only) on one combination. The caller
    made sure every placeholder has a number."""

    def number(s: Series) -> float:
        if isinstance(s, Param):
            return to_float(values[s.name])
        assert isinstance(s, Const)
        return s.value

    if isinstance(node, Compare):
        a, b = number(node.a), number(node.b)
        if node.op == "gt":
            return a > b
        if node.op == "lt":
            return a < b
        if node.op == "ge":
            return a >= b
        return a <= b
    if isinstance(node, Not):
        return not constraint_holds(node.item, values)
    if isinstance(node, AllOf):
        return all(constraint_holds(c, values) for c in node.items)
    if isinstance(node, AnyOf):
        return any(constraint_holds(c, values) for c in node.items)
    raise AssertionError("crosses are refused in constraints")


def constraint_params(node: Optional[Condition]) -> dict[str, str]:
    """The placeholders of a constraint, first path each, in tree order."""
    out: dict[str, str] = {}

    def walk(n: Any) -> None:
        if isinstance(n, Param):
            out.setdefault(n.name, n.path)
        elif isinstance(n, (Compare, Cross)):
            walk(n.a)
            walk(n.b)
        elif isinstance(n, Not):
            walk(n.item)
        elif isinstance(n, (AllOf, AnyOf)):
            for c in n.items:
                walk(c)

    if node is not None:
        walk(node)
    return out
