"""A portfolio's live run, the pure-Python twin of ``src/stream/portfolio.rs`` and
``src/api/live_portfolio.rs`` (docs/CONVENTIONS.md, "Live runs").

One bar set per instant (a bar or none for each asset) goes through the batch portfolio run's
own step (:class:`.portfolio.PortfolioState`), each asset's signals through a live run's
streaming signals; so the result after any number of instants equals :func:`run_portfolio` on
the started assets' bars so far, bit for bit. The saved state is the Rust engine's, byte for
byte, in the live runs' one format (:func:`.live.save_state`).
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

from .._errors import BacktestError
from .data import validate_row
from .execution import CLOSE, FLAT, LONG, REVERSE_TO_LONG, REVERSE_TO_SHORT, SHORT, Account
from .live import (
    _PENDING_NAME,
    _SIDE_NAME,
    SavedRun,
    _bool,
    _Corrupt,
    _exit_reason,
    _f64,
    _float,
    _floats,
    _floats_of,
    _i128,
    _LiveSignals,
    _order_event,
    _read_account,
    _read_metrics,
    _read_signals,
    _read_stats,
    _read_trade,
    _seq,
    _side,
    _state_float,
    _string,
    _struct,
    _tuple,
    _usize,
    account_state,
    effective,
    metrics_state,
    request_of,
    restore_account,
    restore_metrics,
    signal_events,
    stats_state,
    stop_levels,
    trade_state,
)
from .names import describe_value, is_number, nearest, to_float
from .portfolio import Ledger, PortfolioState, _Tally, buy_and_hold, check_symbols, in_asset
from .portfolio import prepare as prepare_portfolio

_INF = math.inf
_NAN = math.nan
_BAR_FIELDS = ("date", "open", "high", "low", "close", "volume", "symbol")


def _market_error(message: str) -> BacktestError:
    return BacktestError(message, "invalid_market_data")


def _units(a: Account) -> float:
    """The signed size of an account's position (0.0 when flat)."""
    if a.pos == FLAT:
        return 0.0
    return a.q if a.pos == LONG else -a.q


# --------------------------------------------------------------------------------------------
# Bars as values (read_bar and check_bar_symbol of src/api/live.rs)
# --------------------------------------------------------------------------------------------


def _key_shown(key: Any) -> str:
    """An object key as a message names it: a string in single quotes, anything else as a
    value."""
    return f"'{key}'" if isinstance(key, str) else describe_value(key)


def read_bar(bar: Any, row: int) -> tuple[str, tuple, Optional[str]]:
    """A bar object's date, (open, high, low, close, volume) and symbol (if it names one)."""
    if not isinstance(bar, Mapping):
        raise _market_error(
            f"the bar at row {row} must be an object with date, open, high, low, close and "
            f"volume, got {describe_value(bar)}"
        )

    def get(name: str) -> Any:
        if name not in bar:
            raise _market_error(f"the bar at row {row} has no '{name}'")
        return bar[name]

    date = get("date")
    if not isinstance(date, str):
        raise _market_error(f"date at row {row} must be a string, got {describe_value(date)}")
    prices = []
    for name in ("open", "high", "low", "close", "volume"):
        v = get(name)
        if not is_number(v):
            raise _market_error(f"{name} at row {row} must be a number, got {describe_value(v)}")
        prices.append(to_float(v))
    for k in bar:
        if k not in _BAR_FIELDS:
            near = nearest(k if isinstance(k, str) else describe_value(k), _BAR_FIELDS)
            raise _market_error(
                f"the bar at row {row} has an unknown field {_key_shown(k)}; did you mean '{near}'?"
            )
    symbol = bar.get("symbol")
    if symbol is not None and not isinstance(symbol, str):
        raise _market_error(f"symbol at row {row} must be a string, got {describe_value(symbol)}")
    return date, tuple(prices), symbol


def check_bar_symbol(bar: Optional[str], run: str, row: int) -> None:
    """A bar's ``symbol``, if it names one, must be its asset's."""
    if bar is not None and bar != run:
        raise _market_error(
            f"the bar at row {row} is for symbol '{bar}' but this run trades '{run}'"
        )


# --------------------------------------------------------------------------------------------
# The step's pieces in a live run: accounts that report, the ledger's notes, the signals
# --------------------------------------------------------------------------------------------


class _Recorder:
    """The step's events in a live portfolio run (``Recorder`` of src/stream/portfolio.rs):
    the closed trades, dated as they close, and the events of one push."""

    def __init__(self, symbols: list[str]) -> None:
        self.symbols = symbols
        self.u = 0
        self.date = ""
        self.events: list[tuple] = []
        self.trades: list[tuple[int, dict]] = []
        self.entry_dates = [""] * len(symbols)

    def event(
        self,
        i: int,
        kind: str,
        side: str,
        price: Optional[float],
        size: Optional[float],
        reason: str,
    ) -> None:
        self.events.append((kind, self.u, self.date, self.symbols[i], side, price, size, reason))

    def ordered(self, i: int, order: str, held: int) -> None:
        side, reason = _order_event(order, held)
        self.event(i, "order", side, None, None, reason)


class _Dates:
    """The dates an account's trade reads: this instant's, or its open position's entry."""

    def __init__(self, recorder: _Recorder, i: int) -> None:
        self.recorder = recorder
        self.i = i

    def __getitem__(self, t: int) -> str:
        r = self.recorder
        return r.date if t == r.u else r.entry_dates[self.i]


class _Trades:
    """An account's trade list: its trades go to the run's, with the asset."""

    def __init__(self, recorder: _Recorder, i: int) -> None:
        self.recorder = recorder
        self.i = i

    def append(self, trade: dict) -> None:
        self.recorder.trades.append((self.i, trade))


class _LiveAccount(Account):
    """The batch account; it reports its fills to the recorder and keeps what the Rust
    account keeps besides (its stop levels). The arithmetic is the base class's."""

    def __init__(self, i: int, settings: Any, tally: _Tally, recorder: _Recorder) -> None:
        super().__init__(settings, tally, _Dates(recorder, i))  # type: ignore[arg-type]
        self.trades = _Trades(recorder, i)  # type: ignore[assignment]
        self.i = i
        self.settings = settings
        self.recorder = recorder
        self.levels = (-_INF, _INF)

    def open(self, side: int, t: int, p: float, available: Optional[float] = None) -> None:
        super().open(side, t, p, available)
        if self.pos == FLAT:
            return  # nothing opened
        self.levels = stop_levels(side, p, self.settings)
        r = self.recorder
        r.event(self.i, "fill", _SIDE_NAME[side], p, self.q, "entry")
        r.entry_dates[self.i] = r.date

    def close(self, t: int, p: float, reason: str) -> None:
        side, q, entry_index = self.pos, self.q, self.entry_index
        r = self.recorder
        kind = "fill" if reason in ("signal", "reverse") else "stop"
        r.event(self.i, kind, _SIDE_NAME[side], p, q, reason)
        super().close(t, p, reason)
        # A position opened at this instant's open and stopped on it keeps its entry date.
        if entry_index != t:
            r.entry_dates[self.i] = ""


class _LiveLedger(Ledger):
    """The ledger, with the core's note per asset of the first own bar its signals can act
    from (a live run never sets one; a change of position resets it)."""

    def __init__(self, cash: float, slots: Optional[int], m: int) -> None:
        super().__init__(cash, slots, m)
        self.next = [0] * m

    def lend(self, i: int, a: Account, act: Any, *args: Any) -> Any:
        before = _units(a)
        out = super().lend(i, a, act, *args)
        if _units(a) != before:
            self.next[i] = 0
        return out


class _LiveStep(PortfolioState):
    """The batch step's state with live accounts and ledger."""

    ledger_class = _LiveLedger

    def __init__(
        self, settings: Sequence[Any], slots: Optional[int], keep: bool, recorder: _Recorder
    ) -> None:
        self.recorder = recorder
        super().__init__(settings, slots, keep, 0, recorder.symbols)
        # What the core keeps and this step does not use: carried so a state saves as loaded.
        self.metrics_exposed = 0
        self.closed_trades: list = []

    def new_account(self, i: int, settings: Any, tally: _Tally, symbol: str) -> Account:
        return _LiveAccount(i, settings, tally, self.recorder)


class _LiveSource:
    """A live portfolio's signals: each active asset's of this instant, worked out before the
    step; an order always waits for its asset's next bar (a live run does not know its last)."""

    def __init__(self, m: int) -> None:
        self.signals: list[tuple] = [(False, False, False, False)] * m

    def at(self, i: int, _j: int, _position: int) -> tuple:
        return self.signals[i]

    def schedule(self, _i: int, _j: int) -> bool:
        return True


# --------------------------------------------------------------------------------------------
# The live run
# --------------------------------------------------------------------------------------------


class LivePortfolioBacktest(SavedRun):
    """A portfolio's live run (``LivePortfolioBacktest`` of src/api/live_portfolio.rs): one
    bar set per instant, a dict symbol -> bar (or None); the events each caused, the batch
    result on the started assets' bars so far, its state saved as JSON."""

    def __init__(
        self,
        strategy: Any,
        settings: Optional[Mapping[str, Any]],
        params: Optional[Mapping[str, Any]],
        symbols: Sequence[str],
        equity_curve: bool,
    ) -> None:
        symbols = list(symbols)
        check_symbols(symbols)
        assets, slots, values = prepare_portfolio(symbols, strategy, settings, params)
        self._request = request_of(strategy, settings, params, symbols=list(symbols))
        self._request["equity_curve"] = bool(equity_curve)
        self._params = dict(values)
        self._symbols = symbols
        self._slots = slots
        self._directions = [s.direction for _, s in assets]
        self._signals = [_LiveSignals(sides) for sides, _ in assets]
        m = len(symbols)
        self._recorder = _Recorder(symbols)
        self._step = _LiveStep([s for _, s in assets], slots, bool(equity_curve), self._recorder)
        self._source = _LiveSource(m)
        self._bars = 0
        self._last_date: Optional[str] = None
        self._last_instant: Optional[int] = None
        self._equity = assets[0][1].initial_capital
        self._own_bars = [0] * m
        self._first_closes = [_NAN] * m
        self._marks = [0.0] * m
        self._dates: Optional[list[str]] = [] if equity_curve else None

    # -- bar sets -------------------------------------------------------------------------

    def push(self, bar_set: Any) -> list[tuple]:
        """One instant as a dict symbol -> bar object (date, open, high, low, close, volume;
        optionally its symbol) or None (no bar then); an asset that has started must be
        named. Each bar is checked as batch data is (its row the asset's own bar index) and
        must be after the last instant; the bars share one instant, and there is at least
        one. Refused, the run is left exactly as it was; else the events it caused: the
        effective signals, then the step's fills, stops and orders in the order they
        happened."""
        u = self._bars
        symbols = self._symbols
        if not isinstance(bar_set, Mapping):
            raise _market_error(
                f"the bar set at row {u} must be an object symbol -> bar (or null), got "
                f"{describe_value(bar_set)}"
            )
        for k in bar_set:
            if k not in symbols:
                text = k if isinstance(k, str) else describe_value(k)
                raise _market_error(
                    f"the bar set at row {u} has a bar for unknown symbol {_key_shown(k)}; "
                    f"did you mean '{nearest(text, symbols)}'?"
                )
        read: list[Optional[tuple]] = []
        for i, symbol in enumerate(symbols):
            if symbol not in bar_set:
                if self._own_bars[i] > 0:
                    raise _market_error(
                        f"the bar set at row {u} has no bar for '{symbol}', which has started; "
                        "give it null when it has no bar at this instant"
                    )
                read.append(None)
                continue
            bar = bar_set[symbol]
            if bar is None:
                read.append(None)
                continue
            row = self._own_bars[i]
            try:
                date, prices, named = read_bar(bar, row)
                check_bar_symbol(named, symbol, row)
            except BacktestError as e:
                raise in_asset(symbol, e) from None
            read.append((date, prices))
        return self._push(read)

    def _push(self, bar_set: list[Optional[tuple]]) -> list[tuple]:
        """``LivePortfolio::push``: per asset its (date, prices) or None."""
        u = self._bars
        symbols = self._symbols
        previous = self._last_instant
        # Every check before anything changes.
        first: Optional[tuple[int, int]] = None
        checked: list[Optional[tuple]] = []
        for i, bar in enumerate(bar_set):
            if bar is None:
                checked.append(None)
                continue
            date, prices = bar
            row = self._own_bars[i]
            try:
                instant, values = validate_row(row, date, None, prices)
            except BacktestError as e:
                raise in_asset(symbols[i], e) from None
            # After the last instant of any asset (so after its own last bar too).
            if previous is not None and instant <= previous:
                raise _market_error(
                    f"asset '{symbols[i]}': dates at row {row} ('{date}') is not after the "
                    f"last bar set's ('{self._last_date}'); bar sets must be strictly increasing"
                )
            if first is None:
                first = (i, instant)
            elif first[1] != instant:
                k = first[0]
                raise _market_error(
                    f"the bar set at row {u} mixes instants: '{symbols[k]}' is dated "
                    f"'{bar_set[k][0]}' and '{symbols[i]}' '{date}'; the bars of one push share "  # type: ignore[index]
                    "one instant"
                )
            checked.append(values)
        if first is None:
            raise _market_error(f"the bar set at row {u} has no bar: at least one asset needs one")
        k, instant = first
        date = bar_set[k][0]  # type: ignore[index]
        r = self._recorder
        r.u, r.date = u, date
        events: list[tuple] = []
        r.events = events
        accounts = self._step.accounts
        source = self._source.signals
        active, bars, due = [], [], []
        for i, values in enumerate(checked):
            if values is None:
                continue
            o, h, lo, c, _ = values
            sig = effective(self._signals[i].update(values), self._directions[i])
            for side, reason in signal_events(*sig):
                events.append(("signal", u, date, symbols[i], side, c, None, reason))
            source[i] = sig
            # An order waits for the asset's next bar, whenever that comes.
            if accounts[i].pending is not None:
                due.append((i, o))
            active.append((i, self._own_bars[i]))
            bars.append((o, h, lo, c))
            if self._own_bars[i] == 0:
                self._first_closes[i] = c
            self._marks[i] = c
            self._own_bars[i] += 1
        self._equity = self._step.step(u, active, bars, due, self._marks, self._source, r)
        if self._dates is not None:
            self._dates.append(date)
        self._bars = u + 1
        self._last_instant = instant
        self._last_date = date
        return list(events)

    # -- where it stands --------------------------------------------------------------------

    def positions(self) -> list[tuple[str, str, float]]:
        """``(symbol, side, units)`` of each open position, in universe order."""
        return [
            (s, _SIDE_NAME[a.pos], a.q)
            for s, a in zip(self._symbols, self._step.accounts)
            if a.pos != FLAT
        ]

    def pending(self) -> list[tuple[str, str]]:
        """``(symbol, order)`` of each order waiting for its asset's next bar."""
        return [
            (s, _PENDING_NAME[a.pending])
            for s, a in zip(self._symbols, self._step.accounts)
            if a.pending is not None
        ]

    def cash(self) -> float:
        return self._step.ledger.cash

    def equity(self) -> float:
        return self._equity

    def bars(self) -> int:
        return self._bars

    def last_date(self) -> Optional[str]:
        return self._last_date

    def symbols(self) -> list[str]:
        return list(self._symbols)

    def started(self) -> list[str]:
        """The symbols that have had a bar, in universe order."""
        return [s for s, n in zip(self._symbols, self._own_bars) if n > 0]

    def result(self) -> dict:
        """The batch portfolio run's result on the started assets' bars so far (what
        :func:`.portfolio.run_portfolio` returns; its curves empty when the run keeps none);
        refused before the first instant, as empty data is."""
        if self._bars == 0:
            raise _market_error("market data is empty: need at least 1 row")
        started = [(i, s) for i, s in enumerate(self._symbols) if self._own_bars[i] > 0]
        bh = buy_and_hold([(self._first_closes[i], self._marks[i]) for i, _ in started])
        r = self._step.result(started, bh)
        return {
            "metrics": r["metrics"],
            "trades": [{"symbol": self._symbols[i], **t} for i, t in self._recorder.trades],
            "dates": [] if self._dates is None else list(self._dates),
            "equity_curve": list(r["equity_curve"]),
            "cash": list(r["cash"]),
            "assets": r["assets"],
            "position_values": {s: list(v) for s, v in r["position_values"].items()},
            "params": dict(self._params),
        }

    # -- the saved state ----------------------------------------------------------------------

    def _state(self) -> dict:
        """``LivePortfolioState`` as serde writes it."""
        step = self._step
        m = step.metrics
        traded = m.trade_count > 0
        accounts = []
        for i, (a, t) in enumerate(zip(step.accounts, step.tallies)):
            stats = stats_state(
                t.trade_count, t.wins, t.gross_profit, t.gross_loss, t.pnl_sum, t.best, t.worst
            )
            accounts.append(account_state(a, a.settings, step.at_open[i], a.levels, stats))
        ledger = step.ledger
        units = [_units(a) for a in step.accounts]
        rows = [v for row in zip(*step.position_values) for v in row] if step.keep else []
        state = {
            "accounts": accounts,
            "ledger": {
                "cash": _state_float(ledger.cash),
                "open": ledger.open,
                "slots": ledger.slots,
                "units": _floats(units),
                "holding": [i for i, q in enumerate(units) if q != 0.0],
                "reserved": _floats(ledger.reserved),
                "shorts": ledger.shorts,
                "next": list(ledger.next),
                "dust": _state_float(ledger.dust),
            },
            "closed": {
                "stats": stats_state(
                    m.trade_count,
                    m.wins,
                    m.gross_profit,
                    m.gross_loss,
                    m.pnl_sum,
                    # TradeStats::default() holds 0.0 where the fallback holds NaN.
                    m.best_trade if traded else 0.0,
                    m.worst_trade if traded else 0.0,
                ),
                "trades": step.closed_trades,
                "keep": False,
            },
            "opened": list(step.opened),
            "held": list(step.held),
            "exposed": m.in_market,
            "bars": step.bars,
            "metrics": None if m.first else metrics_state(m, step.metrics_exposed),
            "returns": _floats(m.nonzero),
            "keep": step.keep,
            "equity": _floats(step.equity),
            "cash": _floats(step.cash),
            "rows": _floats(rows),
        }
        return {
            "bars": self._bars,
            "last_date": self._last_date,
            "last_instant": self._last_instant,
            "equity": _state_float(self._equity),
            "own_bars": list(self._own_bars),
            "first_closes": _floats(self._first_closes),
            "marks": _floats(self._marks),
            "entry_dates": list(self._recorder.entry_dates),
            "signals": [s.state() for s in self._signals],
            "step": state,
            "trades": [[i, trade_state(t)] for i, t in self._recorder.trades],
            "dates": None if self._dates is None else list(self._dates),
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
            request["symbols"],
            request["equity_curve"],
        )

    def _restore(self, st: dict) -> None:
        """``LivePortfolio::resume``: the saved state checked in the core's order, then put in
        place (a refusal changes nothing that is kept)."""
        m = len(self._symbols)
        sized = [
            len(st["own_bars"]),
            len(st["first_closes"]),
            len(st["marks"]),
            len(st["entry_dates"]),
            len(st["signals"]),
        ]
        if any(n != m for n in sized):
            raise _Corrupt(f"it holds {sized} per-asset entries for {m} assets")
        for i, (signals, saved) in enumerate(zip(self._signals, st["signals"])):
            try:
                signals.restore(*saved)
            except _Corrupt as e:
                raise _Corrupt(f"asset {i}'s state is not its strategy's: {e}") from None
        step = st["step"]
        _check_step(step, m, self._slots)
        dates = st["dates"]
        if dates is not None and len(dates) != st["bars"]:
            raise _Corrupt(f"it has {len(dates)} dates for {st['bars']} bars")
        for acc, n in zip(step["accounts"], st["own_bars"]):
            closes = acc["pending"] in (CLOSE, REVERSE_TO_LONG, REVERSE_TO_SHORT)
            held = acc["position"] is not None
            if (closes and not held) or (held and not acc["size"] > 0.0) or (n == 0 and held):
                raise _Corrupt("its positions and pending orders do not go together")
        if any(i >= m for i, _ in st["trades"]) or (st["bars"] == 0) != (
            st["last_instant"] is None
        ):
            raise _Corrupt("its positions and pending orders do not go together")
        # Put in place: the run's own parts, then the step's.
        self._bars = st["bars"]
        self._last_date = st["last_date"]
        self._last_instant = st["last_instant"]
        self._equity = st["equity"]
        self._own_bars = st["own_bars"]
        self._first_closes = st["first_closes"]
        self._marks = st["marks"]
        self._dates = dates
        r = self._recorder
        r.entry_dates = st["entry_dates"]
        r.trades = [(i, t) for i, t in st["trades"]]
        s = self._step
        for i, (a, t, acc) in enumerate(zip(s.accounts, s.tallies, step["accounts"])):
            restore_account(a, acc)
            a.levels = acc["levels"]
            s.at_open[i] = acc["opened_at_open"]
            stats = acc["stats"]
            t.trade_count, t.wins = stats["closed"], stats["wins"]
            t.gross_profit, t.gross_loss = stats["gross_profit"], stats["gross_loss"]
            t.pnl_sum, t.best, t.worst = stats["pnl_sum"], stats["best"], stats["worst"]
        ledger = step["ledger"]
        s.ledger.cash = ledger["cash"]
        s.ledger.open = ledger["open"]
        s.ledger.reserved = ledger["reserved"]
        s.ledger.shorts = ledger["shorts"]
        s.ledger.next = ledger["next"]
        s.ledger.dust = ledger["dust"]
        closed = step["closed"]
        s.closed_trades = closed["raw_trades"]
        pm = s.metrics
        stats = closed["stats"]
        pm.trade_count, pm.wins = stats["closed"], stats["wins"]
        pm.gross_profit, pm.gross_loss = stats["gross_profit"], stats["gross_loss"]
        pm.pnl_sum = stats["pnl_sum"]
        traded = pm.trade_count > 0
        pm.best_trade = stats["best"] if traded else _NAN
        pm.worst_trade = stats["worst"] if traded else _NAN
        restore_metrics(pm, step["metrics"], step["returns"])
        s.metrics_exposed = 0 if step["metrics"] is None else step["metrics"]["exposed_bars"]
        # The step counts its exposure in the metrics (the core: in the state, set at the end).
        pm.in_market = step["exposed"]
        s.opened = step["opened"]
        s.held = step["held"]
        s.bars = step["bars"]
        s.keep = step["keep"]
        s.equity = step["equity"]
        s.cash = step["cash"]
        rows = step["rows"]
        s.position_values = [rows[i::m] for i in range(m)] if s.keep else [[] for _ in range(m)]


def _check_step(step: dict, m: int, slots: Optional[int]) -> None:
    """``PortfolioState::resume``'s checks: its parts hold together."""
    ledger = step["ledger"]
    sized = [
        len(step["accounts"]),
        len(ledger["units"]),
        len(ledger["reserved"]),
        len(ledger["next"]),
        len(step["held"]),
    ]
    if any(n != m for n in sized):
        raise _Corrupt(f"it holds {sized} per-asset entries for {m} assets")
    metrics, returns, bars = step["metrics"], step["returns"], step["bars"]
    kept = 0 if metrics is None else metrics["count"]
    if len(returns) != kept or (metrics is not None) != (bars > 0):
        raise _Corrupt(
            f"it holds {len(returns)} returns and {bars} bars where its metrics count {kept}"
        )
    curves = [len(step["equity"]), len(step["cash"]), len(step["rows"])]
    if (step["keep"] and curves != [bars, bars, bars * m]) or (
        not step["keep"] and curves != [0, 0, 0]
    ):
        raise _Corrupt(f"its curves have {curves} values for {bars} bars")
    accounts = step["accounts"]

    def units(acc: dict) -> float:
        side = acc["position"]
        if side is None:
            return 0.0
        return acc["size"] if side == LONG else -acc["size"]

    def reserved(acc: dict) -> float:
        return acc["entry_proceeds"] + acc["basis"] if acc["position"] == SHORT else 0.0

    holding = [i for i, acc in enumerate(accounts) if units(acc) != 0.0]
    open_ = sum(1 for acc in accounts if acc["position"] is not None)
    matches = (
        ledger["slots"] == slots
        and ledger["open"] == open_
        and ledger["holding"] == holding
        and all(units(acc) == q for acc, q in zip(accounts, ledger["units"]))
        and all(reserved(acc) == r for acc, r in zip(accounts, ledger["reserved"]))
        and ledger["shorts"] == sum(1 for r in ledger["reserved"] if r != 0.0)
        and all(i < m for i in step["opened"])
        and all(i < m for i, _ in step["closed"]["trades"])
    )
    if not matches:
        raise _Corrupt("its cash ledger does not match its accounts")


# --------------------------------------------------------------------------------------------
# Decoding a saved state (serde's checks and messages: see .live)
# --------------------------------------------------------------------------------------------


def _read_request(v: Any) -> dict:
    spec = (
        ("strategy", lambda x: x, ""),
        ("settings", lambda x: x, ""),
        ("params", lambda x: x, ""),
        ("symbols", lambda x: _seq(x, _string), ""),
        ("equity_curve", _bool, ""),
    )
    return _struct(v, "LivePortfolioRequest", spec)


def _read_raw_trade(v: Any) -> dict:
    spec = (
        ("side", _side, ""),
        ("entry_index", _usize, ""),
        ("exit_index", _usize, ""),
        ("entry_price", _f64, ""),
        ("exit_price", _f64, ""),
        ("size", _f64, ""),
        ("pnl", _f64, ""),
        ("return_pct", _f64, ""),
        ("exit_reason", _exit_reason, ""),
    )
    return _struct(v, "RawTrade", spec)


def _raw_trade_state(t: dict) -> dict:
    out = dict(t)
    out["side"] = _SIDE_NAME[out["side"]]
    for key in ("entry_price", "exit_price", "size", "pnl", "return_pct"):
        out[key] = out[key] if math.isfinite(out[key]) else None
    return out


def _read_closed(v: Any) -> dict:
    spec = (
        ("stats", _read_stats, ""),
        ("trades", lambda x: _seq(x, lambda t: _tuple(t, (_usize, _read_raw_trade))), ""),
        ("keep", _bool, ""),
    )
    f = _struct(v, "Closed", spec)
    # Carried as saved (a live run keeps its trades itself: this list stays empty).
    f["raw_trades"] = [[i, _raw_trade_state(t)] for i, t in f["trades"]]
    return f


def _read_ledger(v: Any) -> dict:
    spec = (
        ("cash", _float, ""),
        ("open", _usize, ""),
        ("slots", _usize, "?"),
        ("units", _floats_of, ""),
        ("holding", lambda x: _seq(x, _usize), ""),
        ("reserved", _floats_of, ""),
        ("shorts", _usize, ""),
        ("next", lambda x: _seq(x, _usize), ""),
        ("dust", _float, ""),
    )
    return _struct(v, "Ledger", spec)


def _read_step(v: Any) -> dict:
    spec = (
        ("accounts", lambda x: _seq(x, _read_account), ""),
        ("ledger", _read_ledger, ""),
        ("closed", _read_closed, ""),
        ("opened", lambda x: _seq(x, _usize), ""),
        ("held", lambda x: _seq(x, _usize), ""),
        ("exposed", _usize, ""),
        ("bars", _usize, ""),
        ("metrics", _read_metrics, "?"),
        ("returns", _floats_of, ""),
        ("keep", _bool, ""),
        ("equity", _floats_of, ""),
        ("cash", _floats_of, ""),
        ("rows", _floats_of, ""),
    )
    return _struct(v, "PortfolioState", spec)


def _read_state(v: Any) -> dict:
    spec = (
        ("bars", _usize, ""),
        ("last_date", _string, "?"),
        ("last_instant", _i128, "?"),
        ("equity", _float, ""),
        ("own_bars", lambda x: _seq(x, _usize), ""),
        ("first_closes", _floats_of, ""),
        ("marks", _floats_of, ""),
        ("entry_dates", lambda x: _seq(x, _string), ""),
        ("signals", lambda x: _seq(x, _read_signals), ""),
        ("step", _read_step, ""),
        ("trades", lambda x: _seq(x, lambda t: _tuple(t, (_usize, _read_trade))), ""),
        ("dates", lambda x: _seq(x, _string), "?"),
    )
    return _struct(v, "LivePortfolioState", spec)
