//! Portfolios (SPEC part 10): a universe of assets on the union of their instants, one cash
//! account, the one per-bar step of every asset in a fixed order.

pub mod run;
pub mod sample;

use crate::data::dates::parse_instant;
use crate::data::MarketData;
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::account::Bar;

pub use run::{AssetSummary, PortfolioRun};

fn universe_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::MarketData, message)
}

/// Assets with distinct symbols, aligned on the union of their instants: union bar `u` is
/// the `u`-th distinct instant of any asset. An asset trades only on its own bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Universe {
    assets: Vec<MarketData>,
    /// The union's dates, each written as the first asset (in universe order) that has it.
    dates: Vec<String>,
    /// Per asset, the union bar of each of its own bars (increasing).
    union_bars: Vec<Vec<usize>>,
    /// Per union bar, the assets with a bar then and which of theirs, in universe order:
    /// `bar_assets[bar_starts[u]..bar_starts[u + 1]]` (one slice a run walks in order).
    bar_assets: Vec<(usize, usize)>,
    bar_starts: Vec<usize>,
    /// The prices of each entry of `bar_assets` (in its order: a bar's are together).
    bars: Vec<Bar>,
    /// Bar-major, `assets` a row: each asset's last close at each union bar (0.0 before its
    /// first), what its position is valued at.
    marks: Vec<f64>,
}

impl Universe {
    /// At least one asset, symbols distinct; the bars are already validated one by one.
    pub fn new(assets: Vec<MarketData>) -> Result<Self> {
        check_symbols(&assets.iter().map(|a| a.symbol()).collect::<Vec<_>>())?;
        // Every (instant, asset, bar), in time order then universe order.
        let mut all: Vec<(i128, usize, usize)> =
            Vec::with_capacity(assets.iter().map(|a| a.len()).sum());
        for (i, a) in assets.iter().enumerate() {
            for (j, d) in a.dates().iter().enumerate() {
                let instant = parse_instant(d).expect("validated market data has valid dates");
                all.push((instant, i, j));
            }
        }
        all.sort_unstable();
        let mut dates = Vec::new();
        let mut union_bars: Vec<Vec<usize>> =
            assets.iter().map(|a| Vec::with_capacity(a.len())).collect();
        let mut last = None;
        let (mut bar_assets, mut bar_starts) = (Vec::with_capacity(all.len()), Vec::new());
        for (instant, i, j) in all {
            if last != Some(instant) {
                last = Some(instant);
                dates.push(assets[i].dates()[j].clone());
                bar_starts.push(bar_assets.len());
            }
            union_bars[i].push(dates.len() - 1);
            bar_assets.push((i, j));
        }
        bar_starts.push(bar_assets.len());
        let bars = bar_assets
            .iter()
            .map(|&(i, j)| {
                let a: &MarketData = &assets[i];
                Bar {
                    open: a.open()[j],
                    high: a.high()[j],
                    low: a.low()[j],
                    close: a.close()[j],
                }
            })
            .collect();
        let m = assets.len();
        let mut marks = vec![0.0; dates.len() * m];
        let mut last = vec![0.0; m];
        for u in 0..dates.len() {
            for &(i, j) in &bar_assets[bar_starts[u]..bar_starts[u + 1]] {
                last[i] = assets[i].close()[j];
            }
            marks[u * m..(u + 1) * m].copy_from_slice(&last);
        }
        Ok(Self {
            assets,
            dates,
            union_bars,
            bar_assets,
            bar_starts,
            bars,
            marks,
        })
    }

    /// Assets built from raw columns, each refused with its symbol named.
    pub fn from_assets(assets: impl IntoIterator<Item = Result<MarketData>>) -> Result<Self> {
        Self::new(assets.into_iter().collect::<Result<Vec<_>>>()?)
    }

    pub fn assets(&self) -> &[MarketData] {
        &self.assets
    }

    /// The union's dates.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// Number of union bars.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Always false: an empty universe is refused.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The union bar of each of asset `i`'s bars.
    pub fn union_bars(&self, i: usize) -> &[usize] {
        &self.union_bars[i]
    }

    /// The assets with a bar at union bar `u`, each with the index of that bar among its own,
    /// in universe order.
    pub fn active(&self, u: usize) -> &[(usize, usize)] {
        &self.bar_assets[self.bar_starts[u]..self.bar_starts[u + 1]]
    }

    /// The prices of [`active`](Self::active)`(u)`'s bars, in its order.
    pub fn active_bars(&self, u: usize) -> &[Bar] {
        &self.bars[self.bar_starts[u]..self.bar_starts[u + 1]]
    }

    /// The prices of asset `i`'s own bar `j`.
    pub fn own_bar(&self, i: usize, j: usize) -> Bar {
        let a = &self.assets[i];
        Bar {
            open: a.open()[j],
            high: a.high()[j],
            low: a.low()[j],
            close: a.close()[j],
        }
    }

    /// Each asset's last close at union bar `u` (0.0 before its first bar), in universe order.
    pub fn marks(&self, u: usize) -> &[f64] {
        let m = self.assets.len();
        &self.marks[u * m..(u + 1) * m]
    }

    /// The position of `symbol` in the universe.
    pub fn position(&self, symbol: &str) -> Option<usize> {
        self.assets.iter().position(|a| a.symbol() == symbol)
    }

    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.assets.iter().map(|a| a.symbol())
    }
}

/// A universe's symbols: at least one, distinct.
pub fn check_symbols(symbols: &[&str]) -> Result<()> {
    if symbols.is_empty() {
        return Err(universe_error(
            "the universe is empty: need at least 1 asset".into(),
        ));
    }
    for (i, a) in symbols.iter().enumerate() {
        if let Some(j) = symbols[..i].iter().position(|b| b == a) {
            return Err(universe_error(format!(
                "duplicate symbol '{a}' in the universe (assets {j} and {i}); symbols must be distinct"
            )));
        }
    }
    Ok(())
}

/// A market-data refusal of one asset, with its symbol named first (the field and row follow).
pub fn in_asset(symbol: &str, e: BacktestError) -> BacktestError {
    BacktestError::new(e.kind(), format!("asset '{symbol}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(symbol: &str, dates: &[&str], closes: &[f64]) -> MarketData {
        let d = dates.iter().map(|s| s.to_string()).collect();
        let c = closes.to_vec();
        MarketData::new(
            symbol,
            d,
            c.clone(),
            c.clone(),
            c.clone(),
            c,
            vec![1.0; closes.len()],
        )
        .unwrap()
    }

    #[test]
    fn union_of_instants_in_time_order() {
        let a = asset(
            "A",
            &["2020-01-02", "2020-01-03", "2020-01-06"],
            &[1.0, 2.0, 3.0],
        );
        let b = asset(
            "B",
            &["2020-01-01", "2020-01-03T00:00:00Z", "2020-01-07"],
            &[1.0, 2.0, 3.0],
        );
        let u = Universe::new(vec![a, b]).unwrap();
        // The same instant written twice keeps the first asset's text.
        assert_eq!(
            u.dates(),
            [
                "2020-01-01",
                "2020-01-02",
                "2020-01-03",
                "2020-01-06",
                "2020-01-07"
            ]
        );
        assert_eq!(u.union_bars(0), [1, 2, 3]);
        assert_eq!(u.union_bars(1), [0, 2, 4]);
        assert_eq!(u.active(0), [(1, 0)]);
        assert_eq!(u.active(2), [(0, 1), (1, 1)]);
        assert_eq!(u.marks(0), [0.0, 1.0]);
        assert_eq!(u.marks(3), [3.0, 2.0]);
        assert_eq!(u.position("B"), Some(1));
    }

    #[test]
    fn refusals() {
        let e = Universe::new(vec![]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the universe is empty: need at least 1 asset"
        );
        assert_eq!(e.code(), "invalid_market_data");
        let a = asset("A", &["2020-01-02"], &[1.0]);
        let e = Universe::new(vec![a.clone(), asset("B", &["2020-01-02"], &[1.0]), a]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "duplicate symbol 'A' in the universe (assets 0 and 2); symbols must be distinct"
        );
        let bad = MarketData::new(
            "C",
            vec!["2020-01-02".into()],
            vec![0.0],
            vec![1.0],
            vec![1.0],
            vec![1.0],
            vec![1.0],
        );
        let e = Universe::from_assets([bad.map_err(|e| in_asset("C", e))]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "asset 'C': open at row 0 must be a finite number > 0, got 0.0"
        );
        assert_eq!(e.code(), "invalid_market_data");
    }
}
