//! A deterministic sample universe (docs/CONVENTIONS.md, "Sample universe"): assets that start
//! on different business days, each the sample bars of its own seed, so every engine makes the
//! same bits.

use super::Universe;
use crate::data::dates::{business_days, days_from_civil};
use crate::data::sample::{check_days, generate_sample_data, SplitMix64};
use crate::data::MarketData;
use crate::error::{BacktestError, Result};

/// The most assets [`generate_sample_universe`] makes.
pub const MAX_SAMPLE_ASSETS: i64 = 10_000;

/// `count` sample symbols: `S01`, `S02`, ... (two digits at least, more when needed).
pub fn sample_symbols(count: i128) -> Result<Vec<String>> {
    if count < 1 {
        return Err(BacktestError::TooSmall {
            name: "symbols".into(),
            value: count,
            min: 1,
        });
    }
    if count > MAX_SAMPLE_ASSETS.into() {
        return Err(BacktestError::TooLarge {
            name: "symbols".into(),
            value: count,
            max: MAX_SAMPLE_ASSETS,
        });
    }
    let width = count.to_string().len().max(2);
    Ok((1..=count).map(|k| format!("S{k:0width$}")).collect())
}

/// One asset per symbol over `days` business days from 2020-01-01. The first asset starts on
/// the first day; each other one on a day drawn from the first third of the span. Draws per
/// asset, from SplitMix64(`seed`): the start (uniform), the start price (uniform), the seed of
/// its bars (next_u64).
pub fn generate_sample_universe(symbols: &[String], days: i128, seed: u64) -> Result<Universe> {
    let n = check_days(days)?;
    let calendar = business_days(days_from_civil(2020, 1, 1), n);
    let mut rng = SplitMix64::new(seed);
    let mut assets = Vec::with_capacity(symbols.len());
    for (k, symbol) in symbols.iter().enumerate() {
        let (start_draw, price_draw, bars_seed) = (rng.uniform(), rng.uniform(), rng.next_u64());
        let offset = if k == 0 {
            0
        } else {
            (start_draw * (n / 3) as f64).floor() as usize
        };
        let start_price = 20.0 + (price_draw * 180.0).floor();
        let bars = generate_sample_data(
            symbol.as_str(),
            (n - offset) as i128,
            start_price,
            bars_seed,
        )?;
        let dates = calendar[offset..].to_vec();
        assets.push(MarketData::new(
            symbol.as_str(),
            dates,
            bars.open().to_vec(),
            bars.high().to_vec(),
            bars.low().to_vec(),
            bars.close().to_vec(),
            bars.volume().to_vec(),
        )?);
    }
    Universe::new(assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_start_on_different_days_and_repeat() {
        let symbols = sample_symbols(4).unwrap();
        assert_eq!(symbols, ["S01", "S02", "S03", "S04"]);
        let u = generate_sample_universe(&symbols, 300, 7).unwrap();
        assert_eq!(u.len(), 300);
        assert_eq!(u.assets()[0].len(), 300);
        let starts: Vec<usize> = (0..4).map(|i| u.union_bars(i)[0]).collect();
        assert_eq!(starts[0], 0);
        assert!(starts[1..].iter().any(|&s| s > 0), "{starts:?}");
        assert_eq!(u, generate_sample_universe(&symbols, 300, 7).unwrap());
        assert_eq!(sample_symbols(100).unwrap()[99], "S100");
    }

    #[test]
    fn refusals() {
        assert_eq!(
            sample_symbols(0).unwrap_err().to_string(),
            "symbols must be >= 1, got 0"
        );
        let e = generate_sample_universe(&["A".into()], 0, 1).unwrap_err();
        assert_eq!(e.to_string(), "days must be >= 1, got 0");
    }
}
