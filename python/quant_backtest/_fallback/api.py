"""The strategy engine's entry points: :func:`run_backtest` (a strategy tree) and
:func:`run_signals` (raw boolean arrays), on already validated market data.

Order of the checks of a run: the strategy (``invalid_strategy``; its settings
``invalid_parameter``), the run's settings (``invalid_parameter``), the sides against the
direction (``invalid_strategy``), then the params: unknown ones, then missing ones
(``invalid_grid``), then the bound values as if written in place (``invalid_strategy``).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .._errors import BacktestError
from .execution import Account, simulate
from .names import describe_value
from .settings import Settings, resolve_settings
from .signals import SeriesCache, order_signals, strategy_signals
from .strategy import (
    Strategy,
    bind_params,
    check_direction,
    check_params,
    check_unknown_params,
    parse_strategy,
)


def prepare(strategy: Any, settings: Optional[Mapping[str, Any]]) -> tuple[Strategy, Settings]:
    """The checked strategy and the run's settings over the strategy's."""
    parsed = parse_strategy(strategy)
    resolved = resolve_settings(parsed.settings, {}, raw_run={} if settings is None else settings)
    check_direction(parsed, resolved.direction)
    return parsed, resolved


def check_params_object(params: Any) -> Mapping[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise BacktestError(
            f"params must be an object, got {describe_value(params)}", "invalid_parameter"
        )
    return params


def bind(strategy: Strategy, params: Mapping[str, Any], also_used: Sequence[str] = ()) -> tuple:
    """The sides of ``strategy`` with ``params`` filled in: unknown params first (a typo is
    named before the param it misses), then missing ones, then each value in tree order."""
    check_unknown_params(strategy, params, also_used)
    check_params(strategy, params)
    return bind_params(strategy, params)


def result(account: Account, equity: list[float], params: Mapping[str, Any]) -> dict:
    return {
        "metrics": account.metrics.table(),
        "trades": account.trades,
        "equity_curve": equity,
        "params": dict(params),
    }


def run_backtest(
    columns: Mapping[str, Sequence[Any]],
    strategy: Any,
    settings: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
) -> dict:
    """One run of a strategy tree (plain values or a parsed :class:`Strategy`) on ``columns``
    (``dates``, ``open``, ``high``, ``low``, ``close``, ``volume``, already validated).

    Returns ``{"metrics": {name: value}, "trades": [dict], "equity_curve": [float],
    "params": dict}``.
    """
    parsed, resolved = prepare(strategy, settings)
    values = check_params_object(params)
    sides = bind(parsed, values)
    cache = SeriesCache(columns)  # type: ignore[arg-type]
    signals = strategy_signals(sides, cache, resolved.direction)
    account, equity = simulate(cache.columns, signals, resolved, list(columns["dates"]))
    return result(account, equity, values)


_SIGNAL_NAMES = ("entries", "exits", "short_entries", "short_exits")


def _is_bool(value: Any) -> bool:
    t = type(value)
    return t is bool or (t.__module__ == "numpy" and t.__name__ in ("bool_", "bool"))


def _check_signal(name: str, values: Any, n: int) -> list[bool]:
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__len__"):
        raise BacktestError(
            f"{name} must be a sequence of booleans, got {describe_value(values)}",
            "invalid_signals",
        )
    if len(values) != n:
        raise BacktestError(
            f"{name} has {len(values)} values but the data has {n} bars", "invalid_signals"
        )
    if type(values) is list and set(map(type, values)) <= {bool}:  # the common case, in C
        return list(values)
    out = []
    for row, v in enumerate(values):
        if not _is_bool(v):
            raise BacktestError(
                f"{name} at row {row} must be a boolean, got {describe_value(v)}",
                "invalid_signals",
            )
        out.append(bool(v))
    return out


def check_signals(signals: Mapping[str, Any], n: int, direction: str) -> tuple:
    """The four arrays, checked (``None``: never; each side against the direction), as lists
    of bool or None."""
    lists: dict[str, Optional[list[bool]]] = {}
    for name in _SIGNAL_NAMES:
        values = signals.get(name)
        lists[name] = None if values is None else _check_signal(name, values, n)
    has_long = lists["entries"] is not None or lists["exits"] is not None
    has_short = lists["short_entries"] is not None or lists["short_exits"] is not None
    if direction == "long_only" and has_short:
        raise BacktestError(
            "short_entries/short_exits given but direction is 'long_only'; "
            "pass direction='both' or 'short_only'",
            "invalid_signals",
        )
    if direction == "short_only" and has_long:
        raise BacktestError(
            "entries/exits given but direction is 'short_only'; "
            "pass direction='both' or 'long_only'",
            "invalid_signals",
        )
    return tuple(lists[name] for name in _SIGNAL_NAMES)


def run_signals(
    columns: Mapping[str, Sequence[Any]],
    signals: Mapping[str, Any],
    settings: Optional[Mapping[str, Any]] = None,
) -> dict:
    """One run of raw signal arrays ``{"entries", "exits", "short_entries", "short_exits"}``
    (vectorbt's ``from_signals`` model); the same result as :func:`run_backtest`. With
    direction ``short_only`` the long arrays are ignored, as a tree's long side would be
    dropped."""
    resolved = resolve_settings({}, {}, raw_run={} if settings is None else settings)
    cache = SeriesCache(columns)  # type: ignore[arg-type]
    entries, exits, short_entries, short_exits = check_signals(signals, cache.n, resolved.direction)
    ordered = order_signals(entries, exits, short_entries, short_exits, cache.n, resolved.direction)
    account, equity = simulate(cache.columns, ordered, resolved, list(columns["dates"]))
    return result(account, equity, {})
