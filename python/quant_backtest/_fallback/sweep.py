"""Sweeps (CONVENTIONS.md, "Params", sweeps): every combination of a strategy's params, in
order (first key outermost), filtered by a constraint, as columns of params and metrics.

Order of the checks: the strategy, settings and direction as for one run; the ``params``
object and its lists; the call's constraint; the combinations the constraint keeps (none left
is an error); then every kept combination is bound and checked before any runs. One
:class:`SeriesCache` serves the whole sweep, so each distinct indicator (kind, params, source)
is computed once. Codes: params, lists and constraint ``invalid_grid``.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping, Optional, Sequence

from .._errors import BacktestError
from .api import bind, prepare
from .execution import simulate
from .metrics import INT_METRICS, METRIC_NAMES
from .names import describe_value, is_number
from .signals import SeriesCache, strategy_signals
from .strategy import constraint_holds, constraint_params, parse_constraint

_NAN = float("nan")


def _refuse(message: str) -> BacktestError:
    return BacktestError(message, "invalid_grid")


def check_sweep_params(params: Any) -> dict[str, list]:
    """``params``: an object of name to a non-empty list of numbers."""
    if not isinstance(params, Mapping):
        raise _refuse(
            f"params must be an object of name to list of values, got {describe_value(params)}"
        )
    if not params:
        raise _refuse("params is empty")
    out: dict[str, list] = {}
    for name, values in params.items():
        label = f"params['{name}']"
        if not isinstance(values, (list, tuple)):
            raise _refuse(f"{label} must be a list of numbers, got {describe_value(values)}")
        if not values:
            raise _refuse(f"{label} is empty")
        for i, v in enumerate(values):
            if not is_number(v):
                raise _refuse(f"{label}[{i}] must be a number, got {describe_value(v)}")
        out[name] = list(values)
    return out


def combinations_of(params: Mapping[str, list]) -> list[dict[str, Any]]:
    """The cartesian product in order, the first key outermost."""
    names = list(params)
    return [dict(zip(names, values)) for values in itertools.product(*params.values())]


def plan(
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]],
    constraint: Any,
    combinations: Optional[list[dict]],
) -> tuple[list[str], list[dict], list[tuple], Any]:
    """The sweep checked in order: ``(param names, kept combinations, each one's bound sides,
    the run's Settings)`` (see :func:`sweep`)."""
    parsed, resolved = prepare(strategy, settings)
    lists = check_sweep_params(params)
    names = list(lists)
    call_constraint = parse_constraint(constraint)
    if combinations is None:
        combos = combinations_of(lists)
        active = call_constraint if constraint is not None else parsed.constraint
    else:
        combos = [dict(c) for c in combinations]
        active = call_constraint
    extra = list(constraint_params(call_constraint))
    if active is not None:
        for name, where in constraint_params(active).items():
            if name not in names:
                raise _refuse(f"missing value for param '{name}' (used at {where})")
        combos = [c for c in combos if constraint_holds(active, c)]
    if not combos:
        raise _refuse("the constraint leaves no combination of params")
    bound = [bind(parsed, combo, extra) for combo in combos]  # every one checked first
    return names, combos, bound, resolved


def sweep(
    columns: Mapping[str, Sequence[Any]],
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]] = None,
    constraint: Any = None,
    combinations: Optional[list[dict]] = None,
) -> dict:
    """Run ``strategy`` for every kept combination of ``params``.

    ``constraint`` (a condition over placeholders and numbers) replaces the strategy's. When
    ``combinations`` is given (already filtered by a caller's own constraint, e.g. a Python
    callable) it replaces the cartesian product and the strategy's constraint does not apply;
    ``constraint`` still does when given.

    Returns ``{"params": [names], "columns": {param: [values], metric: [values]}}`` with
    NaN for an undefined float metric (ints stay ints).
    """
    names, combos, bound, resolved = plan(strategy, params, settings, constraint, combinations)
    cache = SeriesCache(columns)  # type: ignore[arg-type]
    out = empty_columns(names)
    for combo, sides in zip(combos, bound):
        signals = strategy_signals(sides, cache, resolved.direction)
        account, _ = simulate(cache.columns, signals, resolved)
        add_row(out, names, combo, account.metrics.table())
    return {"params": names, "columns": out}


def empty_columns(names: Sequence[str]) -> dict[str, list]:
    """A sweep's columns: each param, then every metric."""
    return {name: [] for name in (*names, *METRIC_NAMES)}


def add_row(out: dict[str, list], names: Sequence[str], combo: Mapping, table: Mapping) -> None:
    """One combination's row: its params, then its metrics (NaN for an undefined float)."""
    for name in names:
        out[name].append(combo[name])
    for metric, value in table.items():
        if value is None and metric not in INT_METRICS:
            value = _NAN
        out[metric].append(value)
