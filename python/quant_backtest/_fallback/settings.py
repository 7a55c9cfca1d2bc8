"""Execution settings (CONVENTIONS.md, "Settings"): the table, its checks and its messages.

Settings arrive as plain objects (a run's keyword settings, a strategy's ``settings``): unknown
names are refused first (in the object's order), then each given value in table order. A run's
settings override the strategy's, key by key (:func:`resolve_settings`). Code:
``invalid_parameter``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .._errors import BacktestError
from .names import describe_value, is_number, nearest, to_float

FILLS = ("next_open", "close")
DIRECTIONS = ("long_only", "short_only", "both")
SIZE_TYPES = ("percent", "value", "amount")


@dataclass(frozen=True)
class Settings:
    """Checked execution settings; ``None`` for a stop that is not set."""

    initial_capital: float = 100_000.0
    commission_rate: float = 0.001
    fixed_fee: float = 0.0
    slippage: float = 0.0
    fill: str = "next_open"
    lot_size: float = 0.0
    periods_per_year: float = 252.0
    direction: str = "long_only"
    size_type: str = "percent"
    size: float = 1.0
    stop_loss: Optional[float] = None
    take_profit: Optional[float] = None
    trailing_stop: Optional[float] = None


DEFAULTS = Settings()
SETTING_NAMES = tuple(Settings.__dataclass_fields__)  # table order


def _refuse(message: str) -> BacktestError:
    return BacktestError(message, "invalid_parameter")


def _number(label: str, value: Any, valid: Callable[[float], bool], wants: str) -> float:
    """A numeric setting: a number (not a bool) for which ``valid`` holds."""
    if not is_number(value):
        raise _refuse(f"{label} must be a number, got {describe_value(value)}")
    x = to_float(value)
    if not valid(x):  # NaN fails every range; the value is written as given
        raise _refuse(f"{label} {wants}, got {describe_value(value)}")
    return x


def _choice(label: str, value: Any, choices: tuple[str, ...], wants: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _refuse(f"{label} must be {wants}, got {describe_value(value)}")
    return value


def _finite_positive(x: float) -> bool:
    return math.isfinite(x) and x > 0.0


def _finite_non_negative(x: float) -> bool:
    return math.isfinite(x) and x >= 0.0


def _unit_half_open(x: float) -> bool:  # [0, 1)
    return 0.0 <= x < 1.0


def _unit_open(x: float) -> bool:  # (0, 1)
    return 0.0 < x < 1.0


# The settings table's checks: numbers (valid, what the message says they must be) and choices.
_NUMBERS = {
    "initial_capital": (_finite_positive, "must be a finite number > 0"),
    "commission_rate": (_unit_half_open, "must be in [0, 1)"),
    "fixed_fee": (_finite_non_negative, "must be a finite number >= 0"),
    "slippage": (_unit_half_open, "must be in [0, 1)"),
    "lot_size": (_finite_non_negative, "must be a finite number >= 0"),
    "periods_per_year": (_finite_positive, "must be a finite number > 0"),
    "stop_loss": (_unit_open, "must be in (0, 1)"),
    "take_profit": (_finite_positive, "must be a finite number > 0"),
    "trailing_stop": (_unit_open, "must be in (0, 1)"),
}
_CHOICES = {
    "fill": (FILLS, "'next_open' or 'close'"),
    "direction": (DIRECTIONS, "'long_only', 'short_only' or 'both'"),
    "size_type": (SIZE_TYPES, "'percent', 'value' or 'amount'"),
}
_STOPS = ("stop_loss", "take_profit", "trailing_stop")


def _check_size(label: str, value: Any, size_type: str) -> float:
    if size_type == "percent":
        return _number(
            label, value, lambda x: 0.0 < x <= 1.0, "must be in (0, 1] for size_type 'percent'"
        )
    return _number(
        label, value, _finite_positive, f"must be a finite number > 0 for size_type '{size_type}'"
    )


def check_settings(
    obj: Any, where: Optional[str] = None, size_type: Optional[str] = None
) -> dict[str, Any]:
    """Check a settings object; returns the given values, checked, as ``{name: value}``.

    ``where`` is the path of a strategy's settings (``strategy.settings``): it appears in the
    messages. ``size_type`` is the size type that applies when ``obj`` gives none (the
    strategy's, for a run's settings). The caller refuses a non-object.
    """
    for name in obj:
        if not isinstance(name, str) or name not in SETTING_NAMES:
            text = name if isinstance(name, str) else describe_value(name)
            shown = f"'{name}'" if isinstance(name, str) else text
            place = f" in {where}" if where else ""
            hint = nearest(text, SETTING_NAMES)
            raise _refuse(f"unknown setting {shown}{place}; did you mean '{hint}'?")
    prefix = f"{where}." if where else ""
    out: dict[str, Any] = {}
    for name in SETTING_NAMES:
        if name not in obj:
            continue
        value = obj[name]
        label = prefix + name
        if name == "size":
            out[name] = _check_size(label, value, out.get("size_type", size_type or "percent"))
        elif name in _CHOICES:
            out[name] = _choice(label, value, *_CHOICES[name])
        elif name in _STOPS and value is None:  # null means not set
            out[name] = None
        else:
            out[name] = _number(label, value, *_NUMBERS[name])
    return out


def resolve_settings(
    strategy_settings: Mapping[str, Any], run_settings: Any, raw_run: Any = None
) -> Settings:
    """The run's settings over the strategy's (both already checked by :func:`check_settings`
    or given raw as ``raw_run``), as one :class:`Settings`.

    ``raw_run`` (a plain object) is checked here with the strategy's size type as the default.
    When the run changes ``size_type`` but not ``size``, the strategy's ``size`` is checked
    again against the new type (the message names ``size``, as for the merged settings).
    """
    if raw_run is not None:
        if not isinstance(raw_run, Mapping):
            raise _refuse(f"settings must be an object, got {describe_value(raw_run)}")
        run_settings = check_settings(raw_run, None, strategy_settings.get("size_type"))
    merged = {**strategy_settings, **run_settings}
    if "size" in strategy_settings and "size" not in run_settings and "size_type" in run_settings:
        _check_size("size", merged["size"], merged["size_type"])
    return Settings(**merged)
