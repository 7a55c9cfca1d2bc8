"""``MarketData.from_csv``: the JS package's ``MarketData.fromCsv`` rule for rule (the same
records, the same messages and codes), then the constructor's validation, on both backends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from quant_backtest import BacktestError, MarketData, generate_sample_data
from quant_backtest.cli import sample_csv

HEADER = "date,open,high,low,close,volume"
ROWS = [
    ("2024-01-01", 10.0, 11.0, 9.0, 10.5, 100.0),
    ("2024-01-02", 10.5, 12.0, 10.0, 11.0, 200.0),
    ("2024-01-03", 11.0, 11.5, 10.25, 11.25, 150.0),
    ("2024-01-04", 11.25, 12.5, 11.0, 12.0, 300.0),
    ("2024-01-05", 12.0, 12.25, 11.5, 11.75, 250.0),
]
PLAIN = HEADER + "\n" + "\n".join(",".join(map(str, row)) for row in ROWS) + "\n"


def expected(symbol: str = "UNKNOWN") -> MarketData:
    return MarketData(symbol, *(list(column) for column in zip(*ROWS)))


def with_cell(row: int, column: int, value: str) -> str:
    """PLAIN with data row ``row``'s cell ``column`` replaced."""
    lines = PLAIN.splitlines()
    cells = lines[row + 1].split(",")
    cells[column] = value
    lines[row + 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def refusal(source: object) -> tuple[str, str]:
    with pytest.raises(BacktestError) as info:
        MarketData.from_csv(source)
    return str(info.value), info.value.code


# -- what it reads ----------------------------------------------------------------------------


def test_a_plain_csv(backend: str) -> None:
    md = MarketData.from_csv(PLAIN, symbol="CSV")
    assert md == expected("CSV")
    assert md.symbol == "CSV"
    assert MarketData.from_csv(PLAIN).symbol == "UNKNOWN"
    assert list(md.close) == [row[4] for row in ROWS]


def test_quoted_headers_any_case_and_order_extra_columns_ignored(backend: str) -> None:
    header = '"Volume","CLOSE","Date","adj_close","Low","High","oPeN"'
    body = [f'{v},{c},"{d}","1,23",{lo},{h},{o}' for d, o, h, lo, c, v in ROWS]
    assert MarketData.from_csv("\n".join([header, *body])) == expected()


@pytest.mark.parametrize("name", ["datetime", "TIMESTAMP", " Date "])
def test_the_date_column_may_be_datetime_or_timestamp(backend: str, name: str) -> None:
    text = PLAIN.replace("date", name, 1)
    assert MarketData.from_csv(text) == expected()


def test_date_wins_over_datetime_and_timestamp(backend: str) -> None:
    # The JS rule: the first of date, datetime, timestamp that the header names.
    lines = PLAIN.splitlines()
    text = "\n".join(
        [f"timestamp,{lines[0]}"] + [f"1999-01-0{i + 1},{line}" for i, line in enumerate(lines[1:])]
    )
    assert MarketData.from_csv(text) == expected()


@pytest.mark.parametrize(
    "text",
    [
        PLAIN.rstrip("\n"),  # no final line end
        PLAIN.replace("\n", "\r\n"),
        PLAIN.replace("\n", "\r"),
        "\ufeff" + PLAIN,  # a byte order mark
        PLAIN.replace("\n", "\n\n  \n"),  # blank lines are skipped
        PLAIN.replace(",", " , "),  # cells are trimmed
        '"date","open","high","low","close","volume"\n'
        + "\n".join(",".join(f'"{x}"' for x in row) for row in ROWS),
    ],
    ids=["no-final-newline", "crlf", "cr", "bom", "blank-lines", "spaces", "all-quoted"],
)
def test_layouts_that_read_the_same(backend: str, text: str) -> None:
    assert MarketData.from_csv(text) == expected()


def test_numbers_as_js_reads_them(backend: str) -> None:
    spellings = {"+10.5": 10.5, "1.05e1": 10.5, "105E-1": 10.5, "10.50": 10.5}
    for spelling, value in spellings.items():
        md = MarketData.from_csv(with_cell(0, 4, spelling))
        assert md.close[0] == value, spelling
    assert MarketData.from_csv(with_cell(0, 5, "100.")).volume[0] == 100.0
    assert MarketData.from_csv(with_cell(0, 5, ".5e3")).volume[0] == 500.0


def test_quotes_inside_fields(backend: str) -> None:
    # '""' is a quote inside a quoted field; a quote may open mid-field, as in JS's reader.
    header = "date,note,open,high,low,close,volume\n"
    body = [f'{d},"say ""hi"", then\nbye",{o},{h},{lo},{c},1{v}' for d, o, h, lo, c, v in ROWS]
    md = MarketData.from_csv(header + "\n".join(body))
    assert list(md.volume) == [float(f"1{row[5]}") for row in ROWS]
    assert MarketData.from_csv(with_cell(0, 4, '1"0.5"')).close[0] == 10.5


def test_sources_text_path_pathlike_and_file_objects(backend: str, tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(PLAIN.replace("\n", "\r\n"), encoding="utf-8")
    want = expected("P")
    assert MarketData.from_csv(str(path), symbol="P") == want
    assert MarketData.from_csv(path, symbol="P") == want
    with open(path, encoding="utf-8", newline="") as f:
        assert MarketData.from_csv(f, symbol="P") == want
    with open(path, "rb") as f:
        assert MarketData.from_csv(f, symbol="P") == want
    assert MarketData.from_csv(io.StringIO(PLAIN), symbol="P") == want
    # A path's symbol is not its stem (the JS default, UNKNOWN); the command line names it.
    assert MarketData.from_csv(path).symbol == "UNKNOWN"
    with pytest.raises(FileNotFoundError):
        MarketData.from_csv(str(tmp_path / "missing.csv"))


def test_sample_csv_round_trip(backend: str) -> None:
    data = generate_sample_data("RT", 400, 50.0, seed=11)
    text = sample_csv(data)
    assert text.splitlines()[0] == HEADER
    back = MarketData.from_csv(text, symbol="RT")
    assert back == data
    assert back.dates == data.dates
    assert list(back.open) == list(data.open)
    assert list(back.volume) == list(data.volume)


# -- what it refuses: the JS messages and codes -----------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", " \r\n\n"])
def test_no_header_row(backend: str, text: str) -> None:
    assert refusal(text) == ("CSV text has no header row", "invalid_argument")


@pytest.mark.parametrize("column", ["date", "open", "high", "low", "close", "volume"])
def test_a_missing_column(backend: str, column: str) -> None:
    header = HEADER.split(",")
    at = header.index(column)
    lines = [
        ",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in PLAIN.splitlines()
    ]
    assert refusal("\n".join(lines)) == (f"data is missing column '{column}'", "invalid_argument")


def test_the_first_missing_column_is_named(backend: str) -> None:
    assert refusal("open,close\n1,2\n") == ("data is missing column 'date'", "invalid_argument")
    assert refusal("date,open,high\n") == ("data is missing column 'low'", "invalid_argument")


@pytest.mark.parametrize(
    "row, line, fields",
    [(0, "2024-01-01,1,1,1,1", 5), (2, "2024-01-03,1,1,1,1,1,1", 7), (1, "2024-01-02", 1)],
)
def test_a_row_with_the_wrong_number_of_fields(
    backend: str, row: int, line: str, fields: int
) -> None:
    lines = PLAIN.splitlines()
    lines[row + 1] = line
    assert refusal("\n".join(lines)) == (
        f"CSV row {row} has {fields} fields but the header has 6",
        "invalid_argument",
    )


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("abc", "'abc'"),
        ("", "''"),
        ("0x10", "'0x10'"),
        ("1e", "'1e'"),
        ("1.2.3", "'1.2.3'"),
        ("١٢", "'١٢'"),  # digits that are not ASCII are not numbers (JS's \\d)
        ("it's", '"it\'s"'),
        ('"a\tb"', "'a\\tb'"),
    ],
)
def test_a_cell_that_is_not_a_number(backend: str, cell: str, shown: str) -> None:
    assert refusal(with_cell(3, 4, cell)) == (
        f"close at row 3 must be a number, got {shown}",
        "invalid_argument",
    )


def test_the_first_bad_cell_in_row_then_column_order(backend: str) -> None:
    text = with_cell(2, 5, "x")
    text = "\n".join(
        line if i != 3 else line.replace("11.0,11.5", "y,11.5", 1)
        for i, line in enumerate(text.splitlines())
    )
    assert refusal(text) == ("open at row 2 must be a number, got 'y'", "invalid_argument")


def test_invalid_bars_get_the_constructors_message(backend: str) -> None:
    assert refusal(with_cell(1, 1, "0")) == (
        "open at row 1 must be a finite number > 0, got 0.0",
        "invalid_market_data",
    )
    for spelling in ("nan", "NaN", "-nan", "+NAN"):
        assert refusal(with_cell(3, 4, spelling)) == (
            "close at row 3 must be a finite number > 0, got NaN",
            "invalid_market_data",
        ), spelling
    message, code = refusal(with_cell(0, 2, "Infinity"))
    assert code == "invalid_market_data" and message.startswith("high at row 0 must be")
    lines = PLAIN.splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    message, code = refusal("\n".join(lines))
    assert code == "invalid_market_data" and "strictly increasing" in message
    assert refusal(HEADER + "\n") == (
        "market data is empty: need at least 1 row",
        "invalid_market_data",
    )


def test_the_same_refusals_as_the_constructor(backend: str) -> None:
    bad = with_cell(2, 3, "13")  # low above high
    with pytest.raises(BacktestError) as from_csv:
        MarketData.from_csv(bad)
    columns = [list(c) for c in zip(*ROWS)]
    columns[3][2] = 13.0
    with pytest.raises(BacktestError) as constructed:
        MarketData("UNKNOWN", *columns)
    assert (str(from_csv.value), from_csv.value.code) == (
        str(constructed.value),
        constructed.value.code,
    )


def test_a_source_that_is_neither_text_a_path_nor_a_file(backend: str) -> None:
    assert refusal(42) == (
        "source must be CSV text, a path or a file object, got int",
        "invalid_argument",
    )
