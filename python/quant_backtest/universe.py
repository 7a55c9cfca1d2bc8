"""``Universe``: assets with distinct symbols on the union of their instants (SPEC part 10),
and the deterministic sample universe."""

from __future__ import annotations

from typing import Any, Iterator, Mapping, Optional, Sequence, Union, overload

from . import _backend, _fallback
from ._data import MarketData, as_market_data
from ._errors import BacktestError
from ._fallback.portfolio import align, in_asset


def _asset(item: Any, symbol: Optional[str] = None) -> MarketData:
    """One asset as ``MarketData`` (a DataFrame or a dict of columns is built and checked, its
    refusal naming the symbol)."""
    if isinstance(item, MarketData):
        if symbol is not None and item.symbol != symbol:
            raise BacktestError(
                f"asset '{symbol}' is MarketData of symbol '{item.symbol}'; the key and the "
                "symbol must agree",
                "invalid_market_data",
            )
        return item
    if symbol is None:
        if hasattr(item, "attrs"):
            symbol = str(item.attrs.get("symbol", "UNKNOWN"))
        elif isinstance(item, Mapping):
            symbol = str(item.get("symbol", "UNKNOWN"))
        else:
            symbol = "UNKNOWN"
    try:
        if hasattr(item, "columns") and hasattr(item, "index"):
            return MarketData.from_pandas(item, symbol=symbol)
        if isinstance(item, Mapping):
            return as_market_data({**item, "symbol": symbol})
        return as_market_data(item)
    except BacktestError as e:
        raise in_asset(symbol, e) from None


class Universe(Sequence[MarketData]):
    """Assets (``MarketData``) with distinct symbols, aligned on the union of their instants:
    an asset trades only on its own bars, is valued at its last close in between, and does not
    exist before its first bar. From a list of ``MarketData`` (or DataFrames, or dicts of
    columns) or a dict symbol -> any of those. A sequence in universe order; ``u["SYM"]`` by
    symbol; ``u.dates`` the union's dates."""

    __slots__ = ("_assets", "_by_symbol", "dates", "_native")

    def __init__(self, assets: Union[Sequence[Any], Mapping[str, Any]]) -> None:
        if isinstance(assets, Universe):
            items = list(assets)
        elif isinstance(assets, Mapping):
            items = [_asset(v, str(k)) for k, v in assets.items()]
        else:
            items = [_asset(v) for v in assets]
        self._assets: tuple[MarketData, ...] = tuple(items)
        self._native: Any = None
        if _backend.use_native() and items:
            handle = self._native_handle()
            self.dates: tuple[str, ...] = tuple(handle.dates())
        else:
            columns = [{"symbol": a.symbol, "dates": list(a.dates)} for a in items]
            self.dates = tuple(align(columns)[0])
        self._by_symbol = {a.symbol: i for i, a in enumerate(items)}

    @classmethod
    def from_pandas(cls, frame: Any, symbol: str = "symbol") -> Universe:
        """A universe from a long table: one row per (symbol, bar), the symbol in column
        ``symbol``, the bars as ``MarketData.from_pandas`` reads them; assets in order of first
        appearance."""
        if symbol not in frame.columns:
            have = ", ".join(repr(str(c)) for c in frame.columns)
            raise BacktestError(
                f"DataFrame is missing the symbol column {symbol!r} (has {have})",
                "invalid_market_data",
            )
        groups = frame.groupby(symbol, sort=False)
        return cls({str(k): g.drop(columns=[symbol]) for k, g in groups})

    def _native_handle(self) -> Any:
        """The Rust copy of the universe (made once, on first use by a Rust engine)."""
        if self._native is None:
            module = _backend.engine_module()
            if module is None:
                raise ImportError("the native module quant_backtest._native is missing")
            try:
                self._native = module.Universe([a.native_handle() for a in self._assets])
            except BacktestError:
                raise
            except ValueError as e:
                raise BacktestError(str(e), "invalid_market_data") from None
        return self._native

    def _columns(self) -> list[dict]:
        """Every asset's columns with its symbol (what the pure-Python engine reads)."""
        return [{"symbol": a.symbol, **a.as_lists()} for a in self._assets]

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(a.symbol for a in self._assets)

    def __len__(self) -> int:
        return len(self._assets)

    def __iter__(self) -> Iterator[MarketData]:
        return iter(self._assets)

    @overload
    def __getitem__(self, key: Union[int, str]) -> MarketData: ...

    @overload
    def __getitem__(self, key: slice) -> Sequence[MarketData]: ...

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                return self._assets[self._by_symbol[key]]
            except KeyError:
                raise KeyError(f"no asset '{key}' in the universe {list(self.symbols)}") from None
        return self._assets[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self._by_symbol
        return key in self._assets

    def __repr__(self) -> str:
        span = f"{self.dates[0]} .. {self.dates[-1]}" if self.dates else "empty"
        return f"Universe({list(self.symbols)}, bars={len(self.dates)}, {span})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Universe) and self._assets == other._assets

    def __hash__(self) -> int:
        return hash(self._assets)

    def __getstate__(self) -> dict:
        return {"assets": list(self._assets)}

    def __setstate__(self, state: dict) -> None:
        other = Universe(state["assets"])
        for slot in Universe.__slots__:
            object.__setattr__(self, slot, getattr(other, slot))


def as_universe(value: Any) -> Universe:
    """A ``Universe`` as is; anything ``Universe()`` takes otherwise."""
    return value if isinstance(value, Universe) else Universe(value)


def generate_sample_universe(
    symbols: Union[int, Sequence[str]] = 5, days: int = 252, seed: Optional[int] = None
) -> Universe:
    """A deterministic sample universe: one asset per symbol (a count gives ``S01``, ``S02``,
    ...) over ``days`` business days from 2020-01-01; the first starts on the first day, the
    others on days drawn from the first third. The same seed gives the same bars, bit for bit,
    in every engine; ``seed=None`` draws one at random."""
    from ._engine import _integer, _sample_seed

    if isinstance(symbols, (str, bytes)) or not hasattr(symbols, "__iter__"):
        names = _fallback.sample_symbols(symbols)
    else:
        names = [str(s) for s in symbols]
    days = _integer("days", days)
    seed = _sample_seed(seed)
    native = _backend.engine_module() if _backend.use_native() else None
    if native is not None:
        try:
            handles = native.sample_universe(names, days, seed)
        except BacktestError:
            raise
        except ValueError as e:
            raise BacktestError(str(e)) from None
        return Universe([MarketData._from_native(h) for h in handles])
    assets = _fallback.generate_sample_universe(names, days, seed)
    return Universe([MarketData._from_columns(a) for a in assets])
