//! Market data: the columns of a bar series and the one validation every engine applies.

pub mod dates;
pub mod sample;

use self::dates::parse_instant;
use crate::error::{BacktestError, Result};

/// A validated series of OHLCV bars. Construct it with [`MarketData::new`], which refuses
/// invalid data with a message naming the field and the first bad row.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketData {
    symbol: String,
    dates: Vec<String>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

impl MarketData {
    /// Validates and takes the columns. `volume` holds integers (as `f64`, exact to 2^53).
    pub fn new(
        symbol: impl Into<String>,
        dates: Vec<String>,
        open: Vec<f64>,
        high: Vec<f64>,
        low: Vec<f64>,
        close: Vec<f64>,
        volume: Vec<f64>,
    ) -> Result<Self> {
        validate(&dates, &open, &high, &low, &close, &volume)?;
        Ok(Self {
            symbol: symbol.into(),
            dates,
            open,
            high,
            low,
            close,
            volume,
        })
    }

    pub fn symbol(&self) -> &str {
        &self.symbol
    }
    pub fn dates(&self) -> &[String] {
        &self.dates
    }
    pub fn open(&self) -> &[f64] {
        &self.open
    }
    pub fn high(&self) -> &[f64] {
        &self.high
    }
    pub fn low(&self) -> &[f64] {
        &self.low
    }
    pub fn close(&self) -> &[f64] {
        &self.close
    }
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }
    /// Number of bars (always at least 1).
    pub fn len(&self) -> usize {
        self.dates.len()
    }
    /// Bars `range` (a non-empty part of valid bars is valid: no checks again).
    pub(crate) fn slice(&self, range: std::ops::Range<usize>) -> MarketData {
        debug_assert!(!range.is_empty() && range.end <= self.len());
        MarketData {
            symbol: self.symbol.clone(),
            dates: self.dates[range.clone()].to_vec(),
            open: self.open[range.clone()].to_vec(),
            high: self.high[range.clone()].to_vec(),
            low: self.low[range.clone()].to_vec(),
            close: self.close[range.clone()].to_vec(),
            volume: self.volume[range].to_vec(),
        }
    }
    /// Always false: empty data is refused. Present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
}

fn is_price(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// The checks of docs/CONVENTIONS.md, in its order: lengths, emptiness, then row by row.
pub fn validate(
    dates: &[String],
    open: &[f64],
    high: &[f64],
    low: &[f64],
    close: &[f64],
    volume: &[f64],
) -> Result<()> {
    let n = dates.len();
    for (field, len) in [
        ("open", open.len()),
        ("high", high.len()),
        ("low", low.len()),
        ("close", close.len()),
        ("volume", volume.len()),
    ] {
        if len != n {
            return Err(BacktestError::LengthMismatch {
                field,
                len,
                expected: n,
            });
        }
    }
    if n == 0 {
        return Err(BacktestError::Empty);
    }
    let mut previous: Option<i128> = None;
    for row in 0..n {
        let before = previous.map(|p| (p, dates[row - 1].as_str()));
        let bar = [open[row], high[row], low[row], close[row], volume[row]];
        previous = Some(validate_row(row, &dates[row], before, bar)?);
    }
    Ok(())
}

/// The checks of row `row` (`[open, high, low, close, volume]`), its date after `previous`
/// (the instant and the text of the row before, if any): the instant of its date. A live run
/// checks each bar it is pushed with this.
pub fn validate_row(
    row: usize,
    date: &str,
    previous: Option<(i128, &str)>,
    [open, high, low, close, volume]: [f64; 5],
) -> Result<i128> {
    let instant = parse_instant(date).ok_or_else(|| BacktestError::BadDate {
        row,
        value: date.to_string(),
    })?;
    if let Some((p, text)) = previous {
        if instant <= p {
            return Err(BacktestError::DateNotIncreasing {
                row,
                value: date.to_string(),
                previous: text.to_string(),
            });
        }
    }
    for (field, value) in [
        ("open", open),
        ("high", high),
        ("low", low),
        ("close", close),
    ] {
        if !is_price(value) {
            return Err(BacktestError::BadPrice { field, row, value });
        }
    }
    if high < low {
        return Err(BacktestError::HighBelowLow { row, high, low });
    }
    for (field, value) in [("open", open), ("close", close)] {
        if value < low || value > high {
            return Err(BacktestError::OutsideRange {
                field,
                row,
                value,
                low,
                high,
            });
        }
    }
    if !(volume.is_finite() && volume >= 0.0) {
        return Err(BacktestError::BadVolume { row, value: volume });
    }
    Ok(instant)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Columns = (
        Vec<String>,
        Vec<f64>,
        Vec<f64>,
        Vec<f64>,
        Vec<f64>,
        Vec<f64>,
    );

    fn bars(n: usize) -> Columns {
        let dates =
            crate::data::dates::business_days(crate::data::dates::days_from_civil(2020, 1, 1), n);
        (
            dates,
            vec![10.0; n],
            vec![11.0; n],
            vec![9.0; n],
            vec![10.5; n],
            vec![100.0; n],
        )
    }

    fn message(r: Result<MarketData>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn accepts_valid_data() {
        let (d, o, h, l, c, v) = bars(3);
        let md = MarketData::new("X", d, o, h, l, c, v).unwrap();
        assert_eq!(md.len(), 3);
        assert_eq!(md.symbol(), "X");
    }

    #[test]
    fn names_field_and_row() {
        let (d, o, h, l, mut c, v) = bars(5);
        c[3] = f64::NAN;
        assert_eq!(
            message(MarketData::new("X", d, o, h, l, c, v)),
            "close at row 3 must be a finite number > 0, got NaN"
        );
        let (d, mut o, h, l, c, v) = bars(5);
        o[2] = 12.0;
        assert_eq!(
            message(MarketData::new("X", d, o, h, l, c, v)),
            "open at row 2 is outside [low, high]: 12.0 not in [9.0, 11.0]"
        );
        let (mut d, o, h, l, c, v) = bars(5);
        d[4] = d[3].clone();
        assert_eq!(
            message(MarketData::new("X", d, o, h, l, c, v)),
            "dates at row 4 ('2020-01-06') is not after row 3 ('2020-01-06'); dates must be strictly increasing"
        );
        let (d, o, h, l, c, mut v) = bars(5);
        v[1] = -1.5;
        assert_eq!(
            message(MarketData::new("X", d, o, h, l, c, v)),
            "volume at row 1 must be a finite number >= 0, got -1.5"
        );
        // Fractional volumes (crypto) are valid.
        let (d, o, h, l, c, mut v) = bars(5);
        v[1] = 0.25;
        assert!(MarketData::new("X", d, o, h, l, c, v).is_ok());
        let (d, o, h, l, c, mut v) = bars(5);
        v.pop();
        assert_eq!(
            message(MarketData::new("X", d, o, h, l, c, v)),
            "volume has 4 rows but dates has 5 rows"
        );
        assert_eq!(
            message(MarketData::new(
                "X",
                vec![],
                vec![],
                vec![],
                vec![],
                vec![],
                vec![]
            )),
            "market data is empty: need at least 1 row"
        );
    }
}
