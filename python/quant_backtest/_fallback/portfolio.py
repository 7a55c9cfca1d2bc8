"""Portfolios (CONVENTIONS.md, "Portfolios"): the mirror of the core's ``portfolio`` module and
``api::portfolio``.

A universe is aligned on the union of its assets' instants; every asset's :class:`Account`
advances by the single-asset step's own parts, with the one cash account lent to each in turn.
On each union bar, over the assets that have a bar then: the exits of the pending orders at
the open, then their entries (universe order); the stops; the signals, whose exits fill before
their entries on a close fill. Assets without a bar keep their position, valued at their last
close.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from .._errors import BacktestError
from .api import check_params_object
from .dates import parse_instant
from .execution import CLOSE, FLAT, LONG, Account
from .metrics import Metrics
from .names import describe_value, nearest
from .settings import SETTING_NAMES, resolve_settings
from .signals import SeriesCache, strategy_signals
from .strategy import (
    bind_params,
    check_direction,
    check_params,
    check_unknown_params,
    parse_strategy,
)
from .sweep import add_row, empty_columns
from .sweep import plan as plan_sweep

STRATEGY_KEYS = ("entry", "exit", "short_entry", "short_exit", "settings", "constraint")
PORTFOLIO_SETTINGS = ("max_positions",)


def _data_error(message: str) -> BacktestError:
    return BacktestError(message, "invalid_market_data")


def in_asset(symbol: str, error: BacktestError) -> BacktestError:
    """A refusal of one asset's bars, with its symbol named first."""
    return BacktestError(f"asset '{symbol}': {error}", error.code)


def check_symbols(symbols: Sequence[str]) -> None:
    """A universe's symbols: at least one, distinct (``check_symbols`` of the core)."""
    if not symbols:
        raise _data_error("the universe is empty: need at least 1 asset")
    for i, s in enumerate(symbols):
        if s in symbols[:i]:
            raise _data_error(
                f"duplicate symbol '{s}' in the universe (assets {symbols.index(s)} and {i}); "
                "symbols must be distinct"
            )


def align(assets: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[int]]]:
    """The union's dates (each as the first asset in universe order writes it) and, per asset,
    the union bar of each of its own bars. ``assets``: validated columns with a ``symbol``."""
    check_symbols([a["symbol"] for a in assets])
    every = sorted(
        (parse_instant(d), i, j) for i, a in enumerate(assets) for j, d in enumerate(a["dates"])
    )
    dates: list[str] = []
    union_bars: list[list[int]] = [[] for _ in assets]
    last = None
    for instant, i, j in every:
        if instant != last:
            last = instant
            dates.append(assets[i]["dates"][j])
        union_bars[i].append(len(dates) - 1)
    return dates, union_bars


def _strategies_by_asset(symbols: list[str], strategy: Any) -> list[tuple[Any, Optional[str]]]:
    """Each asset's strategy in universe order, and its symbol when a dict gave it."""
    if not (
        isinstance(strategy, Mapping) and strategy and not any(k in STRATEGY_KEYS for k in strategy)
    ):
        return [(strategy, None)] * len(symbols)
    for k in strategy:
        if k not in symbols:
            raise BacktestError(
                f"strategy for unknown symbol '{k}'; did you mean '{nearest(str(k), symbols)}'? "
                "(a strategy object has the keys entry, exit, short_entry, short_exit, "
                "settings, constraint)",
                "invalid_strategy",
            )
    out = []
    for s in symbols:
        if s not in strategy:
            raise BacktestError(
                f"no strategy for symbol '{s}': a dict of strategies names every symbol of the "
                "universe",
                "invalid_strategy",
            )
        out.append((strategy[s], s))
    return out


def _for_symbol(symbol: Optional[str], error: BacktestError) -> BacktestError:
    if symbol is None:
        return error
    return BacktestError(f"strategy for '{symbol}': {error}", error.code)


def _slots(value: Any) -> int:
    if type(value) is int and value >= 1:
        return value
    raise BacktestError(
        f"max_positions must be an integer >= 1, got {describe_value(value)}", "invalid_parameter"
    )


def split_settings(settings: Any) -> tuple[dict, Optional[int]]:
    """The single-asset settings and ``max_positions`` (names checked first, among both)."""
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping):
        raise BacktestError(
            f"settings must be an object, got {describe_value(settings)}", "invalid_parameter"
        )
    known = SETTING_NAMES + PORTFOLIO_SETTINGS
    for name in settings:
        if name not in known:
            shown = f"'{name}'" if isinstance(name, str) else describe_value(name)
            hint = nearest(str(name), known)
            raise BacktestError(
                f"unknown setting {shown}; did you mean '{hint}'?", "invalid_parameter"
            )
    run = {k: v for k, v in settings.items() if k != "max_positions"}
    slots = _slots(settings["max_positions"]) if "max_positions" in settings else None
    return run, slots


def check_slots_sizing(slots: Optional[int], s: Any, symbol: str) -> None:
    """Equal slots size every entry themselves: ``size`` and ``size_type`` stay the defaults."""
    if slots is not None and (s.size_type != "percent" or s.size != 1.0):
        raise BacktestError(
            f"max_positions and size cannot be combined (asset '{symbol}'): with "
            "max_positions = k an entry gets cash / (k - open positions)",
            "invalid_parameter",
        )


def prepare(symbols: list[str], strategy: Any, settings: Any, params: Any) -> tuple:
    """The request checked in the core's order: ``(per-asset (sides, Settings), slots,
    params)``."""
    run, slots = split_settings(settings)
    values = check_params_object(params)
    by_asset = _strategies_by_asset(symbols, strategy)
    parsed = []
    for tree, symbol in by_asset:
        try:
            parsed.append(parse_strategy(tree))
        except BacktestError as e:
            raise _for_symbol(symbol, e) from None
    assets = []
    for p, (_, symbol) in zip(parsed, by_asset):
        own = values if symbol is None else {k: v for k, v in values.items() if k in p.params}
        resolved = resolve_settings(p.settings, {}, raw_run=run)
        try:
            check_direction(p, resolved.direction)
            check_unknown_params(p, own)
            check_params(p, own)
            sides = bind_params(p, own)
        except BacktestError as e:
            raise _for_symbol(symbol, e) from None
        assets.append((sides, resolved))
    if by_asset[0][1] is not None:
        used = [n for p in parsed for n in p.params]
        for name in values:
            if name not in used:
                hint = (
                    f"did you mean '{nearest(str(name), used)}'?"
                    if used
                    else "the strategies have no params"
                )
                raise BacktestError(f"unknown param '{name}'; {hint}", "invalid_grid")
    first = assets[0][1]
    for (_, s), symbol in zip(assets, symbols):
        for name in ("initial_capital", "periods_per_year"):
            a, b = getattr(s, name), getattr(first, name)
            if a != b:
                raise BacktestError(
                    f"the strategy for '{symbol}' sets {name} to {describe_value(a)} but the "
                    f"portfolio's is {describe_value(b)}: one cash account has one {name}",
                    "invalid_parameter",
                )
        check_slots_sizing(slots, s, symbol)
    return assets, slots, values


class _Tally:
    """An asset account's trade recorder: its own statistics (``TradeStats`` of the core: what
    its summary reads and a live run saves), and the portfolio's in close order."""

    def __init__(self, portfolio: Metrics) -> None:
        self.portfolio = portfolio
        self.trade_count = 0
        self.wins = 0
        self.gross_profit = 0.0
        self.gross_loss = 0.0
        self.pnl_sum = 0.0
        self.best = 0.0
        self.worst = 0.0

    def add_trade(self, pnl: float, return_pct: float) -> None:
        if self.trade_count == 0:
            self.best = self.worst = return_pct
        else:
            # f64::max and f64::min: a NaN side gives the other.
            if return_pct > self.best or self.best != self.best:
                self.best = return_pct
            if return_pct < self.worst or self.worst != self.worst:
                self.worst = return_pct
        self.trade_count += 1
        self.pnl_sum += pnl
        if pnl > 0.0:
            self.wins += 1
            self.gross_profit += pnl
        elif pnl < 0.0:
            self.gross_loss -= pnl
        self.portfolio.add_trade(pnl, return_pct)


class _Tagged:
    """An asset account's trade list: each closed trade goes to the portfolio's, symbol first."""

    def __init__(self, trades: list, symbol: str) -> None:
        self.trades = trades
        self.symbol = symbol

    def append(self, trade: dict) -> None:
        self.trades.append({"symbol": self.symbol, **trade})


class Ledger:
    """The shared cash, the count of open positions and what each open short holds back, lent
    to one account while it acts."""

    def __init__(self, cash: float, slots: Optional[int], m: int) -> None:
        self.cash = cash
        self.open = 0
        self.slots = slots
        self.reserved = [0.0] * m
        self.shorts = 0
        # Free cash at most this is rounding dust left by an entry of all the cash.
        self.dust = 1e-9 * cash

    def lend(self, i: int, a: Account, act: Any, *args: Any) -> Any:
        was_open = a.pos != FLAT
        a.cash = self.cash
        out = act(*args)
        self.cash = a.cash
        self.open += (a.pos != FLAT) - was_open
        reserved = a.reserved()
        self.shorts += (reserved != 0.0) - (self.reserved[i] != 0.0)
        self.reserved[i] = reserved
        return out

    def free(self) -> float:
        """The cash less what the open shorts hold back (summed in universe order)."""
        if self.shorts == 0:
            return self.cash
        held = 0.0
        for r in self.reserved:
            held += r
        return self.cash - held

    def enter(self, i: int, a: Account, order: str, t: int, raw: float) -> None:
        if order == CLOSE:
            return
        if self.slots is None:
            available = self.free()
        elif self.open >= self.slots:
            return
        else:
            available = self.free() / float(self.slots - self.open)
        if available <= self.dust:
            return
        self.lend(i, a, a.entry_leg, order, t, raw, available)


class PortfolioState:
    """A portfolio run's state between union bars, advanced by :meth:`step` (the core's
    ``PortfolioState``): what a batch run loops over and a live run keeps (and saves).

    ``settings`` per asset (initial capital and periods per year those of asset 0); without
    ``keep`` no curves are made (a sweep's row, or a live run's lean state); ``bars``: how many
    union bars are coming (0: not known). A batch run's accounts date their trades from
    ``dates`` into ``trades``; a live run makes its own accounts (:meth:`new_account`)."""

    ledger_class: Any = Ledger

    def __init__(
        self,
        settings: Sequence[Any],
        slots: Optional[int],
        keep: bool,
        bars: int,
        symbols: Sequence[str],
        dates: Optional[Sequence[str]] = None,
        trades: Optional[list] = None,
    ) -> None:
        m = len(settings)
        first = settings[0]
        self.settings = list(settings)
        self.any_stops = any(
            s.stop_loss is not None or s.take_profit is not None or s.trailing_stop is not None
            for s in settings
        )
        self.metrics = Metrics(first.initial_capital, first.periods_per_year, bars)
        self.tallies = [_Tally(self.metrics) for _ in settings]
        self._dates = dates
        self._trades = trades
        self.accounts = [
            self.new_account(i, s, t, symbols[i])
            for i, (s, t) in enumerate(zip(settings, self.tallies))
        ]
        self.ledger = self.ledger_class(first.initial_capital, slots, m)
        # The accounts opened at this bar's open (their stops skip the open): reset on the next.
        self.opened: list[int] = []
        self.at_open = [False] * m
        self.stopped = [False] * m
        # Per asset, the union bars whose close found its position open.
        self.held = [0] * m
        self.bars = 0
        self.keep = keep
        self.equity: list[float] = []
        self.cash: list[float] = []
        # Per asset, the signed value of its position at each union bar's close.
        self.position_values: list[list[float]] = [[] for _ in range(m)]

    def new_account(self, i: int, settings: Any, tally: _Tally, symbol: str) -> Account:
        a = Account(settings, tally, self._dates)  # type: ignore[arg-type]
        if self._trades is not None:
            a.trades = _Tagged(self._trades, symbol)  # type: ignore[assignment]
        return a

    def due(self, active: Sequence[tuple], bars: Sequence[tuple]) -> list[tuple[int, float]]:
        """The pending orders that fill at this union bar's open: (asset, open), in universe
        order (an order waits for its asset's next bar)."""
        accounts = self.accounts
        return [(i, b[0]) for (i, _), b in zip(active, bars) if accounts[i].pending is not None]

    def step(
        self,
        u: int,
        active: Sequence[tuple],
        bars: Sequence[tuple],
        due: Sequence[tuple],
        marks: Sequence[float],
        signals: Any,
        events: Any = None,
    ) -> float:
        """Union bar ``u``: ``active`` the assets with a bar then (asset, own bar index), in
        universe order, with their prices ``bars`` (open, high, low, close); ``due`` the
        pending orders that fill at its open (asset, open); ``marks`` each asset's last close
        (0.0 before its first bar). ``signals`` gives an asset's signals at an own bar
        (``at(i, j, position)``: the four booleans, or None) and whether a next-open order can
        fill (``schedule(i, j)``); ``events``, if any, hears each asset's orders (its accounts
        report their own fills). Returns the equity at the close."""
        accounts, ledger, at_open, stopped = self.accounts, self.ledger, self.at_open, self.stopped
        # 1. Pending orders at the open: every exit, then every entry.
        for i in self.opened:
            at_open[i] = False
        opened: list[int] = []
        self.opened = opened
        for i, o in due:
            a = accounts[i]
            ledger.lend(i, a, a.exit_leg, a.pending, u, o)
        for i, o in due:
            a = accounts[i]
            order = a.pending
            a.pending = None
            ledger.enter(i, a, order, u, o)
            if a.pos != FLAT:
                at_open[i] = True
                opened.append(i)
        # 2. Stops. Open positions with stops: the phase that finds none is skipped.
        if self.any_stops and ledger.open > 0:
            for (i, _), b in zip(active, bars):
                a = accounts[i]
                stopped[i] = (
                    a.pos != FLAT
                    and a.has_stops
                    and ledger.lend(i, a, a.stops, u, b[0], b[1], b[2], at_open[i])
                )
        # 3. Signals: a close fill's exits, then its entries; a next-open order waits.
        orders = []
        for (i, j), b in zip(active, bars):
            if stopped[i]:
                stopped[i] = False
                continue
            a = accounts[i]
            sig = signals.at(i, j, a.pos)
            if sig is None:
                continue
            order = a.wanted(*sig)
            if order is not None:
                if events is not None:
                    events.ordered(i, order, a.pos)
                if a.fill_close:
                    orders.append((i, b[3], order))
                elif signals.schedule(i, j):
                    a.pending = order
        for i, c, order in orders:
            a = accounts[i]
            ledger.lend(i, a, a.exit_leg, order, u, c)
        for i, c, order in orders:
            ledger.enter(i, accounts[i], order, u, c)
        # 4. Equity at the close: the cash, then each asset's value in universe order.
        keep = self.keep
        e = ledger.cash
        any_open = False
        held, position_values = self.held, self.position_values
        for i, a in enumerate(accounts):
            if a.pos == FLAT:
                v = 0.0
            elif a.pos == LONG:
                v = a.q * marks[i]
            else:
                v = -(a.q * marks[i])
            e += v
            if keep:
                position_values[i].append(v)
            if a.pos != FLAT:
                held[i] += 1
                any_open = True
        if keep:
            self.equity.append(e)
            self.cash.append(ledger.cash)
        self.metrics.push(u, e, any_open)
        self.bars = u + 1
        return e

    def result(self, assets: Sequence[tuple[int, str]], buy_and_hold: float) -> dict:
        """The run's result after the bars stepped (at least one), over ``assets`` (a subset of
        the universe's, in its order: a live run's started ones; (index, symbol)), without its
        trades and dates; ``buy_and_hold`` the equal-weight buy and hold return."""
        n = self.bars
        self.metrics.n = n
        table = self.metrics.table()
        table["buy_and_hold_return"] = buy_and_hold
        summaries = []
        for i, s in assets:
            t, h = self.tallies[i], self.held[i]
            summaries.append(
                {
                    "symbol": s,
                    "trade_count": t.trade_count,
                    "pnl": t.pnl_sum,
                    "win_rate": (
                        float(t.wins) / float(t.trade_count) * 100.0 if t.trade_count else 0.0
                    ),
                    "exposure": float(h) / float(n),
                }
            )
        return {
            "metrics": table,
            "equity_curve": self.equity,
            "cash": self.cash,
            "assets": summaries,
            "position_values": {s: self.position_values[i] for i, s in assets},
        }


def buy_and_hold(assets: Sequence[tuple[float, float]]) -> float:
    """The equal-weight buy and hold return of ``assets`` (first close, last close): each
    one's ``last / first - 1``, summed in order, over their count."""
    bh = 0.0
    for first, last in assets:
        bh += last / first - 1.0
    return bh / float(len(assets))


class _BatchSignals:
    """A batch run's signals: each asset's four lists on its own bars."""

    def __init__(self, signals: list, lengths: list[int]) -> None:
        self.signals = signals
        self.lengths = lengths

    def at(self, i: int, j: int, _position: int) -> tuple:
        le, lx, se, sx = self.signals[i]
        return (le[j], lx[j], se[j], sx[j])

    def schedule(self, i: int, j: int) -> bool:
        # It fills at the asset's next own bar; on its last it never does.
        return j + 1 < self.lengths[i]


def union_steps(
    assets: Sequence[Mapping[str, Any]], union_bars: list[list[int]], n: int
) -> list[tuple[list, list]]:
    """Per union bar: the assets with a bar then (asset, own bar index), in universe order,
    and their prices (open, high, low, close)."""
    steps: list[tuple[list, list]] = [([], []) for _ in range(n)]
    for i, (a, own) in enumerate(zip(assets, union_bars)):
        o, h, lo, c = a["open"], a["high"], a["low"], a["close"]
        for j, u in enumerate(own):
            active, bars = steps[u]
            active.append((i, j))
            bars.append((o[j], h[j], lo[j], c[j]))
    return steps


def run_portfolio(
    assets: Sequence[Mapping[str, Any]],
    strategy: Any,
    settings: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
) -> dict:
    """One portfolio run on validated columns (each with its ``symbol``); the core's
    ``PortfolioOutput`` as a dict."""
    dates, union_bars = align(assets)
    symbols = [a["symbol"] for a in assets]
    prepared, slots, values = prepare(symbols, strategy, settings, params)
    runs = [
        (strategy_signals(sides, SeriesCache(a), s.direction), s)  # type: ignore[arg-type]
        for a, (sides, s) in zip(assets, prepared)
    ]
    steps = union_steps(assets, union_bars, len(dates))
    out = simulate(assets, dates, union_bars, steps, runs, slots, keep=True)
    out["params"] = dict(values)
    return out


def sweep_portfolio(
    assets: Sequence[Mapping[str, Any]],
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]] = None,
    constraint: Any = None,
    combinations: Optional[list[dict]] = None,
) -> dict:
    """A portfolio sweep: one strategy for every asset over the combinations of ``params``, in
    the single-asset sweep's order and checks (``max_positions`` aside); each asset's
    indicators computed once. Returns what :func:`sweep.sweep` returns."""
    dates, union_bars = align(assets)
    names, combos, bound, resolved, slots = plan_portfolio_sweep(
        assets, strategy, params, settings, constraint, combinations
    )
    caches = [SeriesCache(a) for a in assets]  # type: ignore[arg-type]
    steps = union_steps(assets, union_bars, len(dates))
    out = empty_columns(names)
    for combo, sides in zip(combos, bound):
        runs = [(strategy_signals(sides, c, resolved.direction), resolved) for c in caches]
        row = simulate(assets, dates, union_bars, steps, runs, slots, keep=False)
        add_row(out, names, combo, row["metrics"])
    return {"params": names, "columns": out}


def plan_portfolio_sweep(
    assets: Sequence[Mapping[str, Any]],
    strategy: Any,
    params: Any,
    settings: Optional[Mapping[str, Any]],
    constraint: Any,
    combinations: Optional[list[dict]],
) -> tuple[list[str], list[dict], list[tuple], Any, Optional[int]]:
    """A portfolio sweep checked as the core's ``plan_portfolio``: the one-asset sweep's
    :func:`.sweep.plan` and ``max_positions``."""
    run, slots = split_settings(settings)
    if isinstance(strategy, Mapping) and strategy and not any(k in STRATEGY_KEYS for k in strategy):
        raise BacktestError(
            "a portfolio sweep takes one strategy for every asset; a dict of strategies is for "
            "one run",
            "invalid_strategy",
        )
    names, combos, bound, resolved = plan_sweep(strategy, params, run, constraint, combinations)
    check_slots_sizing(slots, resolved, assets[0]["symbol"])
    return names, combos, bound, resolved, slots


def simulate(
    assets: Sequence[Mapping[str, Any]],
    dates: list[str],
    union_bars: list[list[int]],
    steps: list[tuple[list, list]],
    runs: list[tuple],
    slots: Optional[int],
    keep: bool,
) -> dict:
    """The portfolio step over the union's bars (``steps``: :func:`union_steps`). ``runs``: per
    asset, its four signal lists (on its own bars) and its Settings. Without ``keep`` only the
    metrics and the per-asset rows (a sweep's row)."""
    state, trades = stepped(assets, dates, union_bars, steps, runs, slots, keep)
    bh = buy_and_hold([(a["close"][0], a["close"][len(a["close"]) - 1]) for a in assets])
    r = state.result(list(enumerate(a["symbol"] for a in assets)), bh)
    return {"metrics": r["metrics"], "trades": trades, "dates": dates, **r}


def stepped(
    assets: Sequence[Mapping[str, Any]],
    dates: list[str],
    union_bars: list[list[int]],
    steps: list[tuple[list, list]],
    runs: list[tuple],
    slots: Optional[int],
    keep: bool,
) -> tuple[PortfolioState, list[dict]]:
    """:func:`simulate`'s state after the last bar, and its trades (dated with ``keep``)."""
    n = len(dates)
    symbols = [a["symbol"] for a in assets]
    trades: list[dict] = []
    state = PortfolioState(
        [s for _, s in runs], slots, keep, n, symbols, dates if keep else None, trades
    )
    source = _BatchSignals([sig for sig, _ in runs], [len(own) for own in union_bars])
    marks = [0.0] * len(assets)
    step, due = state.step, state.due
    for u in range(n):
        active, bars = steps[u]
        for (i, _), b in zip(active, bars):
            marks[i] = b[3]
        step(u, active, bars, due(active, bars), marks, source)
    return state, trades
