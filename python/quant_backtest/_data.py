"""``MarketData``: validated OHLCV bars, with pandas in and out when pandas is installed."""

from __future__ import annotations

import array as _array
import datetime as _dt
import hashlib
import os
import re
import struct
from typing import IO, TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

from . import _backend, _fallback
from ._errors import BacktestError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

try:
    import numpy as _np
except ImportError:  # Pyodide without numpy, or a minimal install
    _np = None

COLUMNS = ("open", "high", "low", "close", "volume")
# What a column of plain Python numbers holds (bool is a subclass of int, not int itself).
_PLAIN_NUMBERS = {float, int}


def _date_text(value: Any) -> str:
    """ISO text for a date-like value; strings are kept as given (the engine validates them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if _np is not None and isinstance(value, _np.datetime64):
        return str(_np.datetime_as_string(value))
    return str(value)


def _dates(values: Iterable[Any]) -> list[str]:
    if isinstance(values, str):
        raise BacktestError("dates must be a sequence of ISO 8601 strings, not one string")
    try:
        # pandas DatetimeIndex / Series of datetimes: midnight-only naive dates print as dates.
        import pandas as pd

        if isinstance(values, (pd.DatetimeIndex, pd.Series)) and str(
            getattr(values, "dtype", "")
        ).startswith("datetime64"):
            index = pd.DatetimeIndex(values)
            if index.tz is None and (index == index.normalize()).all():
                return [str(x) for x in index.strftime("%Y-%m-%d")]
            return [ts.isoformat() for ts in index]
    except ImportError:
        pass
    values = list(values)
    if set(map(type, values)) <= {str}:  # ISO strings already (the common case): as given
        return values
    return [_date_text(v) for v in values]


def _float_cell(field: str, row: int, value: Any) -> float:
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        raise BacktestError(f"{field} at row {row} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BacktestError(f"{field} at row {row} must be a number, got {value!r}") from None


def _column(field: str, values: Any, copy: bool) -> Any:
    """A 1-d float64 numpy array when numpy is present (float64 input is not copied unless
    ``copy``), else a tuple of floats; anything that is not a number is named by field and
    row."""
    if isinstance(values, (str, bytes)):
        raise BacktestError(f"{field} must be a sequence of numbers, got a string")
    if _np is not None:
        if hasattr(values, "to_numpy") and not isinstance(values, _np.ndarray):  # pandas
            values = values.to_numpy()
        if isinstance(values, _np.ndarray) and values.dtype.kind in "fiu":
            array = _np.array(values, dtype=_np.float64, copy=copy or values.dtype != _np.float64)
        else:
            try:
                seq = list(values)
            except TypeError:
                raise BacktestError(
                    f"{field} must be a sequence of numbers, got {type(values).__name__}"
                ) from None
            array = _np.array(
                [_float_cell(field, i, v) for i, v in enumerate(seq)], dtype=_np.float64
            )
        if array.ndim != 1:
            raise BacktestError(f"{field} must be one-dimensional, got shape {array.shape}")
        return array
    try:
        seq = list(values)
    except TypeError:
        raise BacktestError(
            f"{field} must be a sequence of numbers, got {type(values).__name__}"
        ) from None
    if set(map(type, seq)) <= _PLAIN_NUMBERS:  # the common case, checked in one C loop
        # For a compiled engine (``copy`` false: it keeps its own copy) a buffer of doubles,
        # which crosses in one copy; else the read-only tuple this object keeps.
        return _array.array("d", seq) if not copy else tuple(map(float, seq))
    return tuple(_float_cell(field, i, v) for i, v in enumerate(seq))


def _wasm_from_lists(symbol: str, dates: Any, columns: tuple) -> Any:
    """Under Pyodide, the wasm engine's bars straight from plain lists of date strings and
    floats (it checks them without a Python call per value), or None: not Pyodide, not the
    wasm engine, or input that the checks below must convert or refuse (they then run as
    everywhere). Lists of strings pass ``_dates`` unchanged, so the order of the checks (dates,
    then which engine) is the same either way."""
    if not _backend.IS_EMSCRIPTEN or type(dates) not in (list, tuple):
        return None
    try:
        text = "\n".join(dates)  # every date a string (what ``_dates`` keeps as given)
    except TypeError:
        return None
    # Not asked for, or it cannot start: the checks below decide (and warn, or refuse) as ever.
    engine = None if _backend.requested() == "python" else _backend.wasm_module()
    from_lists = getattr(engine, "market_data_from_lists", None)
    return None if from_lists is None else from_lists(symbol, dates, text, columns)


class MarketData:
    """Validated OHLCV bars: ``symbol``, ``dates`` (ISO 8601, strictly increasing), ``open``,
    ``high``, ``low``, ``close`` (finite, > 0, ``low <= open, close <= high``) and ``volume``
    (integers >= 0). Construction refuses bad data with a ``BacktestError`` (a ``ValueError``)
    naming the field and the 0-based row. The columns are read-only."""

    __slots__ = (
        "symbol",
        "dates",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "_native",
        "_lists",
        "_fingerprint",
    )

    def __init__(
        self,
        symbol: str,
        dates: Sequence[Any],
        open: Sequence[float],  # noqa: A002 - the field's name
        high: Sequence[float],
        low: Sequence[float],
        close: Sequence[float],
        volume: Sequence[float],
    ) -> None:
        symbol = str(symbol)
        fast = _wasm_from_lists(symbol, dates, (open, high, low, close, volume))
        if fast is not None:
            self._adopt_native(fast)
            return
        date_texts = _dates(dates)
        native = _backend.use_native()
        # The Rust engine (native or wasm) keeps its own copy and hands back read-only views
        # or copies of it, so numpy input is copied once; the Python engine keeps a private
        # read-only copy.
        columns = [
            _column(f, v, copy=not native)
            for f, v in zip(COLUMNS, (open, high, low, close, volume))
        ]
        if native:
            module = _backend.engine_module()
            assert module is not None
            handle = module.MarketData(symbol, date_texts, *columns)
            self._adopt_native(handle)
            return
        self.symbol = symbol
        self.dates: tuple[str, ...] = tuple(date_texts)
        for f, col in zip(COLUMNS, columns):
            if _np is not None:
                col.setflags(write=False)
            setattr(self, f, col)
        self._native: Any = None
        self._lists: Optional[dict[str, list]] = None
        self._fingerprint: Optional[str] = None
        lists = self.as_lists()
        try:
            _fallback.validate_market_data(
                lists["dates"],
                lists["open"],
                lists["high"],
                lists["low"],
                lists["close"],
                lists["volume"],
            )
        except BacktestError:
            raise
        except ValueError as e:  # the fallback's refusals carry the shared messages
            raise BacktestError(str(e)) from None

    @classmethod
    def _from_native(cls, handle: Any) -> MarketData:
        """Wraps a compiled engine's MarketData (native or wasm; already validated) without
        validating again."""
        self = cls.__new__(cls)
        self._adopt_native(handle)
        return self

    def _adopt_native(self, handle: Any) -> None:
        symbol, dates, *columns = handle.columns()
        self.symbol = symbol
        self.dates = tuple(dates)
        for f, col in zip(COLUMNS, columns):
            if _np is not None:
                col.setflags(write=False)
            else:
                col = tuple(col)
            setattr(self, f, col)
        self._native = handle
        self._lists = None
        self._fingerprint = None

    @classmethod
    def _from_columns(cls, columns: dict) -> MarketData:
        return cls(
            columns["symbol"],
            columns["dates"],
            columns["open"],
            columns["high"],
            columns["low"],
            columns["close"],
            columns["volume"],
        )

    def native_handle(self) -> Any:
        """The Rust copy of these bars (made once, on first use by a Rust engine): in the
        native module, or under Pyodide in the wasm engine's memory."""
        if self._native is None:
            native = _backend.engine_module()
            if native is None:
                raise ImportError(
                    "the wasm engine did not start"
                    if _backend.IS_EMSCRIPTEN
                    else "the native module quant_backtest._native is missing"
                )
            self._native = native.MarketData(
                self.symbol,
                list(self.dates),
                self.open,
                self.high,
                self.low,
                self.close,
                self.volume,
            )
        return self._native

    def as_lists(self) -> dict[str, list]:
        """Plain Python lists of every column (what the pure-Python engine reads)."""
        if self._lists is None:

            def to_list(col: Any) -> list:
                return col.tolist() if hasattr(col, "tolist") else list(col)

            self._lists = {
                "dates": list(self.dates),
                **{f: to_list(getattr(self, f)) for f in COLUMNS},
            }
        return self._lists

    @property
    def fingerprint(self) -> str:
        """A hash of the content (symbol, dates, every value): equal data, equal fingerprint."""
        if self._fingerprint is None:
            h = hashlib.blake2b(digest_size=16)
            h.update(self.symbol.encode())
            h.update(b"\0")
            h.update("\0".join(self.dates).encode())
            for field in COLUMNS:
                col = getattr(self, field)
                h.update(b"\0" + field.encode())
                if _np is not None and isinstance(col, _np.ndarray):
                    h.update(_np.ascontiguousarray(col, dtype="<f8").tobytes())
                else:
                    h.update(struct.pack(f"<{len(col)}d", *col))
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    def __len__(self) -> int:
        return len(self.dates)

    def __repr__(self) -> str:
        span = f"{self.dates[0]} .. {self.dates[-1]}" if self.dates else "empty"
        return f"MarketData(symbol={self.symbol!r}, bars={len(self)}, {span})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MarketData) and self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __getstate__(self) -> dict:
        return {"symbol": self.symbol, **self.as_lists()}

    def __setstate__(self, state: dict) -> None:
        other = MarketData._from_columns(state)
        for slot in MarketData.__slots__:
            object.__setattr__(self, slot, getattr(other, slot))

    @classmethod
    def from_pandas(cls, df: pd.DataFrame, symbol: Optional[str] = None) -> MarketData:
        """Bars from a DataFrame with columns open/high/low/close/volume (any case) and either a
        ``date`` column or a DatetimeIndex. ``symbol`` defaults to ``df.attrs["symbol"]`` or
        ``"UNKNOWN"``."""
        by_lower = {str(c).lower(): c for c in df.columns}
        missing = [c for c in COLUMNS if c not in by_lower]
        date_col = by_lower.get("date", by_lower.get("datetime", by_lower.get("timestamp")))
        import pandas as pd

        if date_col is None and not isinstance(df.index, pd.DatetimeIndex):
            missing.insert(0, "date")
        if missing:
            have = ", ".join(repr(str(c)) for c in df.columns)
            raise BacktestError(
                f"DataFrame is missing column {missing[0]!r} (needs date or a DatetimeIndex, "
                f"open, high, low, close, volume; has {have})"
            )
        if date_col is not None:
            dates = df[date_col]
            if not str(dates.dtype).startswith("datetime64") and dates.dtype != object:
                dates = dates.astype(str)
        else:
            dates = df.index
        if symbol is None:
            symbol = str(df.attrs.get("symbol", "UNKNOWN"))
        return cls(symbol, dates, *(df[by_lower[c]].to_numpy() for c in COLUMNS))

    @classmethod
    def from_csv(
        cls,
        source: Union[str, os.PathLike, IO[str], IO[bytes]],
        symbol: Optional[str] = None,
    ) -> MarketData:
        """Bars from CSV with a header row naming date (or datetime, timestamp), open, high,
        low, close and volume (any case, any order; other columns are ignored). ``source`` is
        CSV text (a string with a line break, or empty), a path (any other string, or an
        ``os.PathLike``; read as UTF-8) or a file object. The rules and the messages are those
        of the JS package's ``MarketData.fromCsv`` (rows in messages are 0-based data rows);
        then the bars are validated as by the constructor. ``symbol`` defaults to
        ``"UNKNOWN"``."""
        text = _csv_text(source)
        records = _parse_csv(text)
        if not records:
            raise BacktestError("CSV text has no header row", _CSV_ERROR)
        header = [_js_trim(h).lower() for h in records[0]]
        date_name = next((n for n in ("date", "datetime", "timestamp") if n in header), "date")
        at = {}
        for key in ("date", *COLUMNS):
            name = date_name if key == "date" else key
            if name not in header:
                raise BacktestError(f"data is missing column '{key}'", _CSV_ERROR)
            at[key] = header.index(name)
        rows = records[1:]
        dates = []
        columns: list[list[float]] = [[] for _ in COLUMNS]
        for r, cells in enumerate(rows):
            if len(cells) != len(header):
                raise BacktestError(
                    f"CSV row {r} has {len(cells)} fields but the header has {len(header)}",
                    _CSV_ERROR,
                )
            dates.append(_js_trim(cells[at["date"]]))
            for field, column in zip(COLUMNS, columns):
                cell = _js_trim(cells[at[field]])
                value = _csv_number(cell)
                if value is None:
                    raise BacktestError(
                        f"{field} at row {r} must be a number, got {_js_repr(cell)}", _CSV_ERROR
                    )
                column.append(value)
        return cls("UNKNOWN" if symbol is None else str(symbol), dates, *columns)

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame indexed by date (a DatetimeIndex named ``date``) with columns open, high,
        low, close (float) and volume (int64); ``df.attrs["symbol"]`` holds the symbol."""
        import numpy as np
        import pandas as pd

        try:
            index = pd.DatetimeIndex(pd.to_datetime(list(self.dates), format="ISO8601"))
        except (ValueError, TypeError):  # mixed UTC offsets
            index = pd.DatetimeIndex(pd.to_datetime(list(self.dates), format="ISO8601", utc=True))
        index.name = "date"
        df = pd.DataFrame(
            {
                "open": np.asarray(self.open, dtype=np.float64),
                "high": np.asarray(self.high, dtype=np.float64),
                "low": np.asarray(self.low, dtype=np.float64),
                "close": np.asarray(self.close, dtype=np.float64),
                "volume": np.asarray(self.volume, dtype=np.float64).astype(np.int64),
            },
            index=index,
        )
        df.attrs["symbol"] = self.symbol
        return df


# -- CSV (the JS package's fromCsv, rule for rule) ------------------------------------------

# JS's BacktestError code for its own argument checks, which fromCsv's refusals are.
_CSV_ERROR = "invalid_argument"
# What JS's String.prototype.trim() strips (Python's str.strip() strips a different set).
_JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_LINE_END = re.compile(r"\r\n|\n|\r")
_SPECIAL_NUMBERS = {
    "nan": float("nan"),
    "-nan": float("nan"),
    "inf": float("inf"),
    "infinity": float("inf"),
    "-inf": float("-inf"),
    "-infinity": float("-inf"),
}


def _js_trim(text: str) -> str:
    return text.strip(_JS_WHITESPACE)


def _js_repr(text: str) -> str:
    """A string as the JS package's messages quote it (its ``reprString``)."""
    quote = '"' if "'" in text and '"' not in text else "'"
    out = [quote]
    for ch in text:
        code = ord(ch)
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def _csv_number(cell: str) -> Optional[float]:
    """A cell's number: a decimal, or nan / inf / infinity (any case, signed); else None."""
    if _DECIMAL.fullmatch(cell):
        return float(cell)
    word = cell.lower()
    return _SPECIAL_NUMBERS.get(word[1:] if word.startswith("+") else word)


def _csv_text(source: Any) -> str:
    """The text of ``source``: CSV text as is, a path's or a file object's content."""
    if isinstance(source, str) and (source == "" or "\n" in source or "\r" in source):
        return source
    if isinstance(source, (str, os.PathLike)):
        # newline="": line ends reach the parser as written (quoted fields keep theirs).
        with open(source, encoding="utf-8", newline="") as f:
            return f.read()
    read = getattr(source, "read", None)
    if callable(read):
        content = read()
        return content.decode("utf-8") if isinstance(content, bytes) else str(content)
    raise BacktestError(
        f"source must be CSV text, a path or a file object, got {type(source).__name__}",
        _CSV_ERROR,
    )


def _is_blank(fields: list[str]) -> bool:
    return len(fields) == 1 and _js_trim(fields[0]) == ""


def _parse_csv(text: str) -> list[list[str]]:
    """RFC 4180 CSV (commas, double quotes, CRLF, LF or CR); blank lines are skipped."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if '"' not in text:  # no quoting: lines split at commas (the same records, faster)
        lines = (line.split(",") for line in _LINE_END.split(text))
        return [fields for fields in lines if not _is_blank(fields)]
    records: list[list[str]] = []
    fields: list[str] = []
    field: list[str] = []
    quoted = False

    def end_record() -> None:
        nonlocal fields
        fields.append("".join(field))
        field.clear()
        if not _is_blank(fields):
            records.append(fields)
        fields = []

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    field.append('"')
                    i += 1
                else:
                    quoted = False
            else:
                field.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ",":
            fields.append("".join(field))
            field.clear()
        elif ch == "\n":
            end_record()
        elif ch == "\r":
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            end_record()
        else:
            field.append(ch)
        i += 1
    if field or fields:
        end_record()
    return records


def as_market_data(data: Any) -> MarketData:
    """``MarketData`` as is; a DataFrame through ``from_pandas``; a mapping of columns."""
    if isinstance(data, MarketData):
        return data
    if hasattr(data, "columns") and hasattr(data, "index"):
        return MarketData.from_pandas(data)
    if isinstance(data, dict):
        for key in ("dates", *COLUMNS):
            if key not in data:
                raise BacktestError(f"data is missing column {key!r}")
        return MarketData(
            data.get("symbol", "UNKNOWN"),
            data["dates"],
            data["open"],
            data["high"],
            data["low"],
            data["close"],
            data["volume"],
        )
    raise TypeError(
        f"data must be MarketData, a pandas DataFrame or a dict of columns, "
        f"not {type(data).__name__}"
    )
