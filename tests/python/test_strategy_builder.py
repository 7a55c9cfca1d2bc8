"""The strategy builder (quant_backtest.strategy): canonical JSON, operators, errors, round
trips, params, and the shipped JSON Schema (docs/STRATEGIES.md)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pytest

from quant_backtest import BacktestError
from quant_backtest import strategy as qs


def sma_value(period, source="close"):
    return {"indicator": "sma", "period": period, "source": source}


FAST, SLOW = {"param": "fast"}, {"param": "slow"}

# Each preset's exact tree (the same JSON is in docs/STRATEGIES.md).
PRESET_TREES = {
    "sma_cross": (
        qs.sma_cross,
        {
            "entry": {"crosses_above": [sma_value(FAST), sma_value(SLOW)]},
            "exit": {"crosses_below": [sma_value(FAST), sma_value(SLOW)]},
            "constraint": {"lt": [FAST, SLOW]},
        },
    ),
    "ema_cross": (
        qs.ema_cross,
        {
            "entry": {
                "crosses_above": [
                    {"indicator": "ema", "period": FAST, "source": "close"},
                    {"indicator": "ema", "period": SLOW, "source": "close"},
                ]
            },
            "exit": {
                "crosses_below": [
                    {"indicator": "ema", "period": FAST, "source": "close"},
                    {"indicator": "ema", "period": SLOW, "source": "close"},
                ]
            },
            "constraint": {"lt": [FAST, SLOW]},
        },
    ),
    "rsi_reversion": (
        qs.rsi_reversion,
        {
            "entry": {"crosses_below": [{"indicator": "rsi", "period": 14, "source": "close"}, 30]},
            "exit": {"crosses_above": [{"indicator": "rsi", "period": 14, "source": "close"}, 70]},
        },
    ),
    "macd_cross": (
        qs.macd_cross,
        {
            "entry": {
                "crosses_above": [
                    {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "source": "close",
                     "output": "macd"},
                    {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "source": "close",
                     "output": "signal"},
                ]
            },
            "exit": {
                "crosses_below": [
                    {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "source": "close",
                     "output": "macd"},
                    {"indicator": "macd", "fast": 12, "slow": 26, "signal": 9, "source": "close",
                     "output": "signal"},
                ]
            },
        },
    ),
    "bollinger_reversion": (
        qs.bollinger_reversion,
        {
            "entry": {
                "crosses_below": [
                    "close",
                    {"indicator": "bbands", "period": 20, "k": 2.0, "source": "close",
                     "output": "lower"},
                ]
            },
            "exit": {
                "crosses_above": [
                    "close",
                    {"indicator": "bbands", "period": 20, "k": 2.0, "source": "close",
                     "output": "middle"},
                ]
            },
        },
    ),
    "donchian_breakout": (
        qs.donchian_breakout,
        {
            "entry": {
                "gt": [
                    "close",
                    {"shift": {"indicator": "highest", "period": 20, "source": "high"},
                     "periods": 1},
                ]
            },
            "exit": {
                "lt": [
                    "close",
                    {"shift": {"indicator": "lowest", "period": 20, "source": "low"},
                     "periods": 1},
                ]
            },
        },
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(PRESET_TREES))
def test_preset_is_exactly_its_tree(name):
    preset, expected = PRESET_TREES[name]
    strategy = preset()
    assert strategy.to_dict() == expected
    # Same key order too: the canonical JSON text is fixed.
    assert strategy.to_json() == json.dumps(expected, separators=(",", ":"))


def test_preset_key_order_of_indicators():
    value = qs.macd_cross().to_dict()["entry"]["crosses_above"][0]
    assert list(value) == ["indicator", "fast", "slow", "signal", "source", "output"]
    value = qs.bollinger_reversion().to_dict()["entry"]["crosses_below"][1]
    assert list(value) == ["indicator", "period", "k", "source", "output"]
    assert list(qs.sma_cross(commission_rate=0.0).to_dict()) == [
        "entry",
        "exit",
        "settings",
        "constraint",
    ]


def test_cross_presets_with_numbers_have_no_constraint():
    strategy = qs.sma_cross(10, 30)
    assert strategy.to_dict() == {
        "entry": {"crosses_above": [sma_value(10), sma_value(30)]},
        "exit": {"crosses_below": [sma_value(10), sma_value(30)]},
    }
    assert strategy.params == ()
    half = qs.ema_cross(fast=5)
    assert half.params == ("slow",)
    assert half.constraint is None
    named = qs.sma_cross(qs.param("a"), qs.param("b"))
    assert named.constraint == (qs.param("a") < qs.param("b"))


def test_preset_arguments_may_be_placeholders_and_settings():
    strategy = qs.rsi_reversion(
        period=qs.param("n"), lower=qs.param("lo"), upper=70, stop_loss=0.05
    )
    assert strategy.to_dict() == {
        "entry": {
            "crosses_below": [
                {"indicator": "rsi", "period": {"param": "n"}, "source": "close"},
                {"param": "lo"},
            ]
        },
        "exit": {
            "crosses_above": [{"indicator": "rsi", "period": {"param": "n"}, "source": "close"}, 70]
        },
        "settings": {"stop_loss": 0.05},
    }
    assert strategy.params == ("n", "lo")
    assert qs.bollinger_reversion(k=qs.param("k")).params == ("k",)
    assert qs.donchian_breakout(qs.param("p")).params == ("p",)
    assert qs.macd_cross(signal=qs.param("s"), fast=qs.param("f")).params == ("f", "s")


# --- builder expressions -> canonical JSON ---------------------------------------------------


def test_crosses_above_of_two_smas():
    condition = qs.sma(10).crosses_above(qs.sma(30))
    assert condition.to_value() == {"crosses_above": [sma_value(10), sma_value(30)]}
    assert condition.to_dict() == condition.to_value()


def test_defaults_are_written_explicitly():
    assert qs.rsi().to_value() == {"indicator": "rsi", "period": 14, "source": "close"}
    assert qs.atr().to_value() == {"indicator": "atr", "period": 14}
    assert qs.roc().to_value() == {"indicator": "roc", "period": 10, "source": "close"}
    assert qs.macd().hist.to_value() == {
        "indicator": "macd",
        "fast": 12,
        "slow": 26,
        "signal": 9,
        "source": "close",
        "output": "hist",
    }
    assert qs.bbands(10, 3).upper.to_value() == {
        "indicator": "bbands",
        "period": 10,
        "k": 3.0,
        "source": "close",
        "output": "upper",
    }
    assert isinstance(qs.bbands(10, 3).upper.to_value()["k"], float)


def test_sources_params_and_shift():
    series = qs.ema(qs.param("n"), source=qs.rsi(7, source=qs.high)).shift(3)
    assert series.to_value() == {
        "shift": {
            "indicator": "ema",
            "period": {"param": "n"},
            "source": {"indicator": "rsi", "period": 7, "source": "high"},
        },
        "periods": 3,
    }
    assert qs.close.shift().to_value() == {"shift": "close", "periods": 1}
    assert qs.stddev(5, source=qs.volume).to_value() == sma_value(5, "volume") | {
        "indicator": "stddev"
    }
    for name, column in [
        ("open", qs.open),
        ("high", qs.high),
        ("low", qs.low),
        ("close", qs.close),
        ("volume", qs.volume),
    ]:
        assert column.to_value() == name
    assert qs.wma(4).to_value() == {"indicator": "wma", "period": 4, "source": "close"}
    assert qs.highest(3, source=qs.sma(2)).to_value() == {
        "indicator": "highest",
        "period": 3,
        "source": sma_value(2),
    }
    assert qs.lowest(3).to_value()["indicator"] == "lowest"


def test_comparison_operators_and_reflection():
    rsi = qs.rsi()
    rsi_value = rsi.to_value()
    assert (rsi > 70).to_value() == {"gt": [rsi_value, 70]}
    assert (rsi < 30).to_value() == {"lt": [rsi_value, 30]}
    assert (rsi >= 70.5).to_value() == {"ge": [rsi_value, 70.5]}
    assert (rsi <= 30).to_value() == {"le": [rsi_value, 30]}
    # A number on the left: Python reflects the operator, the meaning stays the same.
    assert (30 > rsi) == (rsi < 30)
    assert (30 < rsi) == (rsi > 30)
    assert (30 >= rsi).to_value() == {"le": [rsi_value, 30]}
    assert (30 <= rsi).to_value() == {"ge": [rsi_value, 30]}
    assert (qs.close > qs.open).to_value() == {"gt": ["close", "open"]}
    assert qs.close.crosses_below(100).to_value() == {"crosses_below": ["close", 100]}
    assert (qs.param("fast") < qs.param("slow")).to_value() == {"lt": [FAST, SLOW]}


def test_and_or_not_flatten():
    a, b, c, d = (qs.close > 1), (qs.close > 2), (qs.close > 3), (qs.close > 4)
    assert (a & b & c).to_value() == {"and": [a.to_value(), b.to_value(), c.to_value()]}
    assert (a & (b & c)) == (a & b & c)
    assert ((a & b) & (c & d)).to_value()["and"] == [x.to_value() for x in (a, b, c, d)]
    assert (a | b | c).to_value() == {"or": [a.to_value(), b.to_value(), c.to_value()]}
    mixed = (a & b) | c
    assert mixed.to_value() == {"or": [{"and": [a.to_value(), b.to_value()]}, c.to_value()]}
    assert ((a | b) & (c | d)).to_value() == {
        "and": [{"or": [a.to_value(), b.to_value()]}, {"or": [c.to_value(), d.to_value()]}]
    }
    assert (~a).to_value() == {"not": a.to_value()}
    assert (~~a).to_value() == {"not": {"not": a.to_value()}}


def test_equality_is_structural_and_never_a_condition():
    assert (qs.sma(10) == qs.sma(10)) is True
    assert (qs.sma(10) == qs.sma(10, source=qs.close)) is True
    assert (qs.sma(10) == qs.sma(11)) is False
    assert (qs.sma(10) != qs.ema(10)) is True
    assert (qs.rsi() == qs.rsi(14)) is True
    assert (qs.close == "close") is False
    assert ((qs.close > 1) == (qs.close > 1)) is True
    assert ((qs.close > 1) == (qs.close >= 1)) is False
    assert qs.macd() == qs.macd(12, 26, 9)
    assert qs.macd().signal != qs.macd().macd
    assert qs.sma_cross() == qs.sma_cross()
    assert qs.sma_cross() != qs.sma_cross(commission_rate=0.0)


def test_hash_agrees_with_equality():
    assert hash(qs.sma(10)) == hash(qs.sma(10, source=qs.close))
    assert hash(qs.close > 1) == hash(qs.close > 1)
    assert len({qs.sma(10), qs.sma(10), qs.ema(10), qs.close > 1, qs.close > 1}) == 3
    assert len({qs.sma_cross(), qs.sma_cross(), qs.ema_cross()}) == 2
    assert {qs.macd(): 1}[qs.macd(12, 26, 9)] == 1


def test_nodes_are_immutable():
    with pytest.raises(AttributeError):
        qs.sma(10).params = {}
    with pytest.raises(AttributeError):
        qs.sma_cross().entry = None


def test_repr_is_readable_and_evaluates_back():
    condition = (qs.rsi() < 30) & (qs.close > qs.sma(200)) | ~qs.macd().macd.crosses_above(
        qs.macd().signal
    )
    assert repr(qs.sma(10).crosses_above(qs.sma(30))) == "qs.sma(10).crosses_above(qs.sma(30))"
    assert repr(qs.rsi() < 30) == "qs.rsi(14) < 30"
    assert repr(qs.highest(5, source=qs.high).shift(1)) == "qs.highest(5, source=qs.high).shift(1)"
    assert eval(repr(condition), {"qs": qs}) == condition
    for name, (preset, _) in PRESET_TREES.items():
        strategy = preset(commission_rate=0.0)
        assert repr(strategy).startswith("qs.Strategy(entry="), name
        assert eval(repr(strategy), {"qs": qs}) == strategy


# --- errors -----------------------------------------------------------------------------------


def test_bool_of_a_condition_is_refused():
    condition = qs.rsi() < 30
    with pytest.raises(TypeError, match=r"& \| ~ instead of and / or / not"):
        bool(condition)
    with pytest.raises(TypeError, match="no truth value"):
        30 < qs.rsi() < 70  # noqa: B015 - the chained comparison calls bool()
    with pytest.raises(TypeError, match="no truth value"):
        _ = (qs.close > 1) and (qs.close > 2)


def test_bad_operands_are_refused_clearly():
    with pytest.raises(TypeError, match=r"right side of > must be a series .*got 'x' \(str\)"):
        qs.sma(10) > "x"  # noqa: B015
    with pytest.raises(TypeError, match="must be a series"):
        "x" < qs.sma(10)  # noqa: B015
    with pytest.raises(TypeError, match="must be a series"):
        qs.close > True  # noqa: B015
    with pytest.raises(TypeError, match="must be a series"):
        qs.close.crosses_above(None)
    with pytest.raises(TypeError, match="combines two conditions"):
        (qs.close > 1) & qs.close
    with pytest.raises(TypeError, match="combines two conditions"):
        True & (qs.close > 1)
    with pytest.raises(TypeError, match="is a series, not a condition: compare it first"):
        _ = ~qs.close
    with pytest.raises(TypeError, match="is a series, not a condition"):
        qs.close & (qs.close > 1)
    with pytest.raises(TypeError, match="combines two conditions"):
        qs.Not(qs.close)
    with pytest.raises(BacktestError, match="finite"):
        qs.close > float("nan")  # noqa: B015


def test_multi_output_indicator_is_not_a_series():
    with pytest.raises(TypeError, match=r"several outputs .* use one of \.macd, \.signal, \.hist"):
        qs.macd() > 0  # noqa: B015
    with pytest.raises(TypeError, match=r"\.upper, \.middle, \.lower"):
        qs.close.crosses_below(qs.bbands())
    with pytest.raises(TypeError, match="several outputs"):
        0 < qs.macd()  # noqa: B015
    with pytest.raises(TypeError, match="several outputs"):
        qs.sma(10, source=qs.macd())
    with pytest.raises(TypeError, match="several outputs"):
        qs.macd().shift(1)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: qs.sma(0), "sma period must be an integer >= 1, got 0"),
        (lambda: qs.sma(-3), "sma period must be an integer >= 1, got -3"),
        (lambda: qs.sma(10.0), "sma period must be an integer >= 1, got 10.0"),
        (lambda: qs.sma(True), "sma period must be an integer >= 1, got true"),
        (lambda: qs.rsi("14"), "rsi period must be an integer >= 1, got '14'"),
        (lambda: qs.ema(2**70),
         "ema period must be an integer <= 2147483647, got 1180591620717411303424"),
        (lambda: qs.bbands(20, -1), "bbands k must be a finite number >= 0, got -1"),
        (lambda: qs.bbands(20, float("inf")), "bbands k must be a finite number >= 0, got inf"),
        (lambda: qs.macd(26, 12), "macd needs fast < slow, got fast=26 and slow=12"),
        (lambda: qs.close.shift(0), "shift periods must be an integer >= 1, got 0"),
        (lambda: qs.param(""), "param must be a non-empty string, got ''"),
        (lambda: qs.param(1), "param must be a non-empty string, got 1"),
    ],
)  # fmt: skip
def test_bad_params_are_refused(build, message):
    with pytest.raises(BacktestError) as caught:
        build()
    assert str(caught.value) == message
    assert caught.value.code == "invalid_strategy"


def test_setting_values_are_checked_as_the_engines_do():
    with pytest.raises(BacktestError) as caught:
        qs.sma_cross(stop_loss=1.5)
    assert str(caught.value) == "stop_loss must be in (0, 1), got 1.5"
    assert caught.value.code == "invalid_parameter"
    with pytest.raises(BacktestError, match="fill must be 'next_open' or 'close', got 'open'"):
        qs.Strategy(entry=qs.close > 1, fill="open")
    with pytest.raises(BacktestError, match=r"size must be in \(0, 1\] for size_type 'percent'"):
        qs.sma_cross(size=1.5)
    assert qs.sma_cross(size=1.5, size_type="value").settings["size"] == 1.5


def test_unknown_setting_names_the_nearest():
    with pytest.raises(BacktestError) as caught:
        qs.Strategy(entry=qs.close > 1, comission=0.01)
    assert str(caught.value) == "unknown setting 'comission'; did you mean 'commission_rate'?"
    assert caught.value.code == "invalid_parameter"
    with pytest.raises(BacktestError, match="did you mean 'stop_loss'"):
        qs.sma_cross(stoploss=0.1)
    with pytest.raises(BacktestError, match="did you mean 'trailing_stop'"):
        qs.sma_cross().with_settings(trailing=0.1)


def test_sides_must_be_conditions():
    with pytest.raises(TypeError, match="entry must be a condition or None.*compare it"):
        qs.Strategy(entry=qs.sma(10))
    with pytest.raises(TypeError, match="exit must be a condition"):
        qs.Strategy(entry=qs.close > 1, exit="close")


def test_constraint_holds_numbers_and_placeholders_only():
    with pytest.raises(BacktestError) as caught:
        qs.Strategy(entry=qs.close > 1, constraint=(qs.param("a") < 3) & (qs.close < qs.param("b")))
    assert str(caught.value) == (
        "constraint.and[1].lt[0] must be a number or {\"param\": name} in a constraint, got 'close'"
    )


def test_settings_are_stored_in_table_order():
    strategy = qs.sma_cross(stop_loss=0.05, fill="close", initial_capital=1000)
    assert list(strategy.settings) == ["initial_capital", "fill", "stop_loss"]
    assert strategy.to_dict()["settings"] == {
        "initial_capital": 1000,
        "fill": "close",
        "stop_loss": 0.05,
    }
    richer = strategy.with_settings(stop_loss=0.1, direction="both")
    assert richer.settings == {
        "initial_capital": 1000,
        "fill": "close",
        "direction": "both",
        "stop_loss": 0.1,
    }
    assert strategy.settings["stop_loss"] == 0.05  # the original is unchanged
    assert richer.entry == strategy.entry and richer.constraint == strategy.constraint


# --- params and bind --------------------------------------------------------------------------


def test_params_in_first_use_order():
    strategy = qs.Strategy(
        entry=qs.sma(qs.param("b")) > qs.ema(qs.param("a"), source=qs.rsi(qs.param("c"))),
        exit=qs.close < qs.param("d"),
        short_entry=qs.close > qs.param("a"),
        short_exit=qs.close < qs.param("e"),
        constraint=qs.param("f") < qs.param("b"),
    )
    assert strategy.params == ("b", "a", "c", "d", "e", "f")


def test_bind_replaces_placeholders():
    strategy = qs.sma_cross(commission_rate=0.0)
    bound = strategy.bind(fast=10, slow=30)
    assert bound == qs.sma_cross(10, 30, commission_rate=0.0)
    assert bound.params == ()
    half = strategy.bind(fast=10)
    assert half.params == ("slow",)
    assert half.constraint == (qs.constant(10) < qs.param("slow"))
    assert qs.bollinger_reversion(k=qs.param("k")).bind(k=3) == qs.bollinger_reversion(k=3.0)


def test_bind_errors():
    strategy = qs.sma_cross()
    with pytest.raises(BacktestError) as caught:
        strategy.bind(fsat=10)
    assert str(caught.value) == "unknown param 'fsat'; did you mean 'fast'?"
    assert caught.value.code == "invalid_grid"
    with pytest.raises(BacktestError, match="break the constraint") as caught:
        strategy.bind(fast=30, slow=10)
    assert caught.value.code == "invalid_grid"
    with pytest.raises(BacktestError, match="sma period must be an integer >= 1, got 0"):
        strategy.bind(fast=0, slow=10)
    with pytest.raises(BacktestError, match="must be a number"):
        strategy.bind(fast="10")
    with pytest.raises(BacktestError, match=r"unknown param 'x' \(the strategy has no params\)"):
        qs.sma_cross(10, 30).bind(x=1)


# --- JSON round trips -------------------------------------------------------------------------


def random_series(rng: random.Random, depth: int):
    choice = rng.randrange(6 if depth > 0 else 3)
    if choice == 0:
        return rng.choice([qs.open, qs.high, qs.low, qs.close, qs.volume])
    if choice == 1:
        return qs.constant(rng.choice([0, 1, 30, -2.5, 1e-3, 70.25]))
    if choice == 2:
        return qs.param(rng.choice(["fast", "slow", "x"]))
    if choice == 3:
        return random_series(rng, depth - 1).shift(rng.randint(1, 5))
    period = rng.choice([1, 2, 14, qs.param("p")])
    source = random_series(rng, depth - 1)
    kind = rng.randrange(11)
    if kind == 0:
        return qs.atr(period)
    if kind == 1:
        return qs.macd(rng.randint(2, 5), rng.randint(6, 30), period, source=source).output(
            rng.choice(["macd", "signal", "hist"])
        )
    if kind == 2:
        return getattr(qs.bbands(period, rng.choice([0, 1.5, 2])), rng.choice(["upper", "lower"]))
    builder = [qs.sma, qs.ema, qs.wma, qs.rsi, qs.stddev, qs.roc, qs.highest, qs.lowest][kind - 3]
    return builder(period, source=source)


def random_condition(rng: random.Random, depth: int):
    choice = rng.randrange(9 if depth > 0 else 6)
    if choice < 6:
        a, b = random_series(rng, 2), random_series(rng, 2)
        return [
            lambda: a > b,
            lambda: a < b,
            lambda: a >= b,
            lambda: a <= b,
            lambda: a.crosses_above(b),
            lambda: a.crosses_below(b),
        ][choice]()
    if choice == 8:
        return ~random_condition(rng, depth - 1)
    parts = [random_condition(rng, depth - 1) for _ in range(rng.randint(2, 3))]
    kind = qs.And if choice == 6 else qs.Or
    return kind(*parts)


def random_strategy(rng: random.Random):
    sides = {
        name: random_condition(rng, 2) if rng.random() < 0.7 else None
        for name in ("exit", "short_entry", "short_exit")
    }
    settings = rng.choice(
        [{}, {"commission_rate": 0.0}, {"direction": "both", "stop_loss": 0.05, "size": 0.5}]
    )
    constraint = rng.choice([None, qs.param("fast") < qs.param("slow")])
    return qs.Strategy(entry=random_condition(rng, 2), constraint=constraint, **sides, **settings)


RANDOM_STRATEGIES = [random_strategy(random.Random(seed)) for seed in range(200)]


@pytest.mark.parametrize("name", list(PRESET_TREES))
def test_presets_round_trip(name):
    for strategy in (PRESET_TREES[name][0](), PRESET_TREES[name][0](fill="close", size=0.5)):
        assert qs.Strategy.from_json(strategy.to_json()) == strategy
        assert qs.Strategy.from_json(strategy.to_json(indent=2)) == strategy
        assert qs.Strategy.from_dict(strategy.to_dict()) == strategy
        assert qs.Strategy.from_dict(strategy.to_dict()).to_json() == strategy.to_json()


def test_random_trees_round_trip():
    for strategy in RANDOM_STRATEGIES:
        text = strategy.to_json()
        again = qs.Strategy.from_json(text)
        assert again == strategy
        assert again.to_json() == text
        assert again.params == strategy.params
        assert hash(again) == hash(strategy)


def test_from_dict_fills_defaults_and_reads_nulls():
    strategy = qs.Strategy.from_dict(
        {"entry": {"lt": [{"source": "close", "indicator": "rsi"}, 30]}, "exit": None}
    )
    assert strategy == qs.Strategy(entry=qs.rsi() < 30)
    shifted = qs.Strategy.from_dict({"entry": {"gt": ["close", {"shift": "open"}]}})
    assert shifted.entry == (qs.close > qs.open.shift(1))


def test_from_dict_refusals_name_the_bad_part():
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict({"entyr": {"gt": ["close", 1]}})
    assert str(caught.value) == "unknown key 'entyr' in strategy; did you mean 'entry'?"
    assert caught.value.code == "invalid_strategy"
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict("x")
    assert str(caught.value) == "strategy must be an object, got 'x'"
    with pytest.raises(BacktestError, match="did you mean 'sma'"):
        qs.Strategy.from_dict({"entry": {"gt": ["close", {"indicator": "smaa", "period": 3}]}})
    with pytest.raises(BacktestError, match="did you mean 'close'"):
        qs.Strategy.from_dict({"entry": {"gt": ["clse", 1]}})
    with pytest.raises(BacktestError, match="did you mean 'crosses_above'"):
        qs.Strategy.from_dict({"entry": {"crosses_abov": ["close", 1]}})
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict({"entry": {"crosses": ["close", 1]}})
    assert (
        str(caught.value) == "unknown condition 'crosses' at entry; did you mean 'crosses_above'?"
    )
    # The engines' messages, with the path of the bad node.
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict({"entry": {"and": [CLOSE_ABOVE_ONE, {"gt": [1, sma_value(0)]}]}})
    assert str(caught.value) == "entry.and[1].gt[1].period must be an integer >= 1, got 0"
    assert caught.value.code == "invalid_strategy"
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict({"entry": CLOSE_ABOVE_ONE, "settings": {"stop_loss": 1.5}})
    assert str(caught.value) == "strategy.settings.stop_loss must be in (0, 1), got 1.5"
    assert caught.value.code == "invalid_parameter"
    with pytest.raises(BacktestError) as caught:
        qs.Strategy.from_dict({"entry": {"gt": ["close", 1]}, "settings": {"comission": 0.0}})
    assert str(caught.value) == (
        "unknown setting 'comission' in strategy.settings; did you mean 'commission_rate'?"
    )
    with pytest.raises(BacktestError, match="not valid JSON"):
        qs.Strategy.from_json("{entry")


# --- the JSON Schema --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    schema = qs.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_shipped_and_fresh_each_call():
    first = qs.json_schema()
    assert first["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    first["$defs"].clear()
    assert qs.json_schema()["$defs"], "json_schema() must return a fresh copy"


def test_schema_lists_every_indicator_and_setting():
    schema = qs.json_schema()
    names = [option["$ref"].rsplit("_", 1)[1] for option in schema["$defs"]["indicator"]["oneOf"]]
    assert names == ["sma", "ema", "wma", "rsi", "macd", "bbands", "atr", "stddev", "roc",
                     "highest", "lowest"]  # fmt: skip
    assert tuple(schema["$defs"]["settings"]["properties"]) == qs.SETTINGS


def test_presets_and_random_trees_validate(validator):
    for preset, _ in PRESET_TREES.values():
        validator.validate(preset().to_dict())
        validator.validate(preset(fill="close", direction="both", take_profit=0.1).to_dict())
    for strategy in RANDOM_STRATEGIES[:60]:  # jsonschema's oneOf is slow on deep trees
        validator.validate(strategy.to_dict())


def sma_cross_with(**changes):
    value = qs.sma_cross().to_dict()
    value.update(changes)
    return value


CLOSE_ABOVE_ONE = {"gt": ["close", 1]}

INVALID_TREES = {
    "unknown strategy key": {"entyr": CLOSE_ABOVE_ONE},
    "no entry at all": {"exit": CLOSE_ABOVE_ONE},
    "not an object": ["entry"],
    "unknown condition": {"entry": {"crosses": ["close", 1]}},
    "two keys in a condition": {"entry": {"gt": ["close", 1], "lt": ["close", 2]}},
    "three operands": {"entry": {"gt": ["close", 1, 2]}},
    "and of one": {"entry": {"and": [CLOSE_ABOVE_ONE]}},
    "not of a list": {"entry": {"not": [CLOSE_ABOVE_ONE]}},
    "bool series": {"entry": {"gt": ["close", True]}},
    "unknown column": {"entry": {"gt": ["clse", 1]}},
    "unknown indicator": {"entry": {"gt": ["close", {"indicator": "smaa", "period": 3}]}},
    "missing period": {"entry": {"gt": ["close", {"indicator": "sma"}]}},
    "period 0": {"entry": {"gt": ["close", sma_value(0)]}},
    "period a string": {"entry": {"gt": ["close", sma_value("10")]}},
    "period too large": {"entry": {"gt": ["close", sma_value(2147483648)]}},
    "unknown indicator key": {
        "entry": {"gt": ["close", {"indicator": "sma", "perod": 3}]}
    },
    "macd without output": {"entry": {"gt": ["close", {"indicator": "macd"}]}},
    "bbands unknown output": {
        "entry": {"gt": ["close", {"indicator": "bbands", "output": "up"}]}
    },
    "output on sma": {
        "entry": {"gt": ["close", {"indicator": "sma", "period": 3, "output": "macd"}]}
    },
    "source on atr": {"entry": {"gt": ["close", {"indicator": "atr", "source": "close"}]}},
    "negative k": {
        "entry": {"gt": ["close", {"indicator": "bbands", "k": -1, "output": "upper"}]}
    },
    "shift 0": {"entry": {"gt": ["close", {"shift": "close", "periods": 0}]}},
    "empty param": {"entry": {"gt": ["close", {"param": ""}]}},
    "param with extra key": {"entry": {"gt": ["close", {"param": "a", "x": 1}]}},
    "unknown setting": sma_cross_with(settings={"comission": 0.0}),
    "commission 1": sma_cross_with(settings={"commission_rate": 1.0}),
    "unknown fill": sma_cross_with(settings={"fill": "open"}),
    "unknown direction": sma_cross_with(settings={"direction": "long"}),
    "stop_loss 1.5": sma_cross_with(settings={"stop_loss": 1.5}),
    "take_profit 0": sma_cross_with(settings={"take_profit": 0}),
    "percent size 1.5": sma_cross_with(settings={"size": 1.5}),
    "capital a string": sma_cross_with(settings={"initial_capital": "x"}),
    "constraint on a column": sma_cross_with(constraint={"lt": ["close", {"param": "slow"}]}),
}  # fmt: skip


@pytest.mark.parametrize("name", list(INVALID_TREES))
def test_invalid_trees_are_rejected_by_the_schema(validator, name):
    assert not validator.is_valid(INVALID_TREES[name])


def test_schema_accepts_what_the_settings_allow(validator):
    validator.validate(sma_cross_with(settings={"size_type": "value", "size": 5000.0}))
    validator.validate(sma_cross_with(settings={"stop_loss": None, "take_profit": 2.0}))
    validator.validate({"short_entry": CLOSE_ABOVE_ONE, "settings": {"direction": "short_only"}})


# --- the docs show what the code does --------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs"


def json_block_after(text: str, marker: str):
    start = text.index(marker)
    block = text.index("```json\n", start) + len("```json\n")
    return json.loads(text[block : text.index("\n```", block)])


@pytest.mark.parametrize("name", list(PRESET_TREES))
def test_strategies_md_shows_each_presets_exact_tree(name):
    text = (DOCS / "STRATEGIES.md").read_text(encoding="utf-8")
    assert json_block_after(text, f"### `{name}(") == PRESET_TREES[name][0]().to_dict()


def test_strategies_md_embeds_the_shipped_schema():
    text = (DOCS / "STRATEGIES.md").read_text(encoding="utf-8")
    assert json_block_after(text, "<summary>strategy.schema.json</summary>") == qs.json_schema()


@pytest.mark.parametrize("page", ["SPEC.md", "STRATEGIES.md"])
def test_docs_point_inside_the_project(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    assert "/".join(["..", "shared"]) not in text  # spelled apart: this file must not say it
    assert "CONVENTIONS.md" in text
