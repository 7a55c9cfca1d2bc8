//! Backtest settings and the validation of everything a caller passes in, in the order of
//! docs/CONVENTIONS.md, so every door reports the same first problem.

use crate::error::{BacktestError, Result};

/// When an order fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fill {
    /// At the next bar's open (no look-ahead); a signal on the last bar does not fill.
    #[default]
    NextOpen,
    /// At the signal bar's close.
    Close,
}

impl Fill {
    /// `"next_open"` or `"close"`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "next_open" => Ok(Fill::NextOpen),
            "close" => Ok(Fill::Close),
            other => Err(BacktestError::UnknownFill {
                value: other.to_string(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Fill::NextOpen => "next_open",
            Fill::Close => "close",
        }
    }
}

/// Everything but the two periods: capital, costs, fills, sizing and annualisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub initial_capital: f64,
    pub commission_rate: f64,
    pub fill: Fill,
    /// 0: fractional sizes; otherwise sizes are rounded down to a multiple of it.
    pub lot_size: f64,
    pub periods_per_year: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            initial_capital: 100_000.0,
            commission_rate: 0.001,
            fill: Fill::NextOpen,
            lot_size: 0.0,
            periods_per_year: 252.0,
        }
    }
}

impl Settings {
    /// The strategy engine's settings for these (the rest at their defaults).
    pub fn exec(&self) -> crate::execution::ExecSettings {
        crate::execution::ExecSettings {
            initial_capital: self.initial_capital,
            commission_rate: self.commission_rate,
            fill: self.fill,
            lot_size: self.lot_size,
            periods_per_year: self.periods_per_year,
            ..Default::default()
        }
    }

    /// Checks the float settings (`fill` is valid by construction).
    pub fn validate(&self) -> Result<()> {
        let bad = |name, domain, value| BacktestError::BadParameter {
            name,
            domain,
            value,
        };
        let c = self.initial_capital;
        if !(c.is_finite() && c > 0.0) {
            return Err(bad("initial_capital", "a finite number > 0", c));
        }
        let r = self.commission_rate;
        if !((0.0..1.0).contains(&r)) {
            return Err(bad("commission_rate", "in [0, 1)", r));
        }
        let l = self.lot_size;
        if !(l.is_finite() && l >= 0.0) {
            return Err(bad("lot_size", "a finite number >= 0", l));
        }
        let p = self.periods_per_year;
        if !(p.is_finite() && p > 0.0) {
            return Err(bad("periods_per_year", "a finite number > 0", p));
        }
        Ok(())
    }
}

/// Settings as a door receives them: `fill` still a string.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSettings<'a> {
    pub initial_capital: f64,
    pub commission_rate: f64,
    pub fill: &'a str,
    pub lot_size: f64,
    pub periods_per_year: f64,
}

impl<'a> RawSettings<'a> {
    /// The settings in their usual order (what every door receives).
    pub fn new(
        initial_capital: f64,
        commission_rate: f64,
        fill: &'a str,
        lot_size: f64,
        periods_per_year: f64,
    ) -> Self {
        Self {
            initial_capital,
            commission_rate,
            fill,
            lot_size,
            periods_per_year,
        }
    }

    /// Validates the float settings first, then parses `fill`.
    pub fn validate(&self) -> Result<Settings> {
        let mut settings = Settings {
            initial_capital: self.initial_capital,
            commission_rate: self.commission_rate,
            fill: Fill::NextOpen,
            lot_size: self.lot_size,
            periods_per_year: self.periods_per_year,
        };
        settings.validate()?;
        settings.fill = Fill::parse(self.fill)?;
        Ok(settings)
    }
}

fn check_period(name: String, value: i128, bars: usize) -> Result<usize> {
    if value < 1 {
        return Err(BacktestError::TooSmall {
            name,
            value,
            min: 1,
        });
    }
    if value > bars as i128 {
        return Err(BacktestError::PeriodExceedsBars { name, value, bars });
    }
    Ok(value as usize)
}

/// Validates one backtest's periods and settings against `bars` bars.
pub fn validate_backtest(
    bars: usize,
    fast_period: i128,
    slow_period: i128,
    settings: &RawSettings<'_>,
) -> Result<(usize, usize, Settings)> {
    if fast_period < 1 {
        return Err(BacktestError::TooSmall {
            name: "fast_period".into(),
            value: fast_period,
            min: 1,
        });
    }
    if fast_period >= slow_period {
        return Err(BacktestError::FastNotBelowSlow {
            fast: fast_period,
            slow: slow_period,
        });
    }
    let slow = check_period("slow_period".into(), slow_period, bars)?;
    let settings = settings.validate()?;
    Ok((fast_period as usize, slow, settings))
}

/// A validated grid: the pairs to run, in SPEC order (fast outer, slow inner, `fast < slow`).
#[derive(Debug, Clone, PartialEq)]
pub struct GridPlan {
    pub pairs: Vec<(usize, usize)>,
    pub settings: Settings,
    /// `None`: every core.
    pub max_workers: Option<usize>,
}

/// Validates a grid request against `bars` bars.
pub fn validate_grid(
    bars: usize,
    fast_periods: &[i128],
    slow_periods: &[i128],
    settings: &RawSettings<'_>,
    max_workers: Option<i128>,
) -> Result<GridPlan> {
    if fast_periods.is_empty() {
        return Err(BacktestError::EmptyList {
            name: "fast_periods",
        });
    }
    if slow_periods.is_empty() {
        return Err(BacktestError::EmptyList {
            name: "slow_periods",
        });
    }
    let check_all = |name: &str, values: &[i128]| -> Result<Vec<usize>> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| check_period(format!("{name}[{i}]"), v, bars))
            .collect()
    };
    let fast = check_all("fast_periods", fast_periods)?;
    let slow = check_all("slow_periods", slow_periods)?;
    let settings = settings.validate()?;
    let pairs: Vec<(usize, usize)> = fast
        .iter()
        .flat_map(|&f| slow.iter().filter(move |&&s| f < s).map(move |&s| (f, s)))
        .collect();
    if pairs.is_empty() {
        return Err(BacktestError::NoValidPair);
    }
    let max_workers = match max_workers {
        Some(w) if w < 1 => {
            return Err(BacktestError::TooSmall {
                name: "max_workers".into(),
                value: w,
                min: 1,
            })
        }
        Some(w) => Some(w as usize),
        None => None,
    };
    Ok(GridPlan {
        pairs,
        settings,
        max_workers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(fill: &str) -> RawSettings<'_> {
        RawSettings {
            initial_capital: 100_000.0,
            commission_rate: 0.001,
            fill,
            lot_size: 0.0,
            periods_per_year: 252.0,
        }
    }

    fn err(r: Result<(usize, usize, Settings)>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn period_messages() {
        assert_eq!(
            err(validate_backtest(100, 0, 5, &raw("close"))),
            "fast_period must be >= 1, got 0"
        );
        assert_eq!(
            err(validate_backtest(100, 30, 10, &raw("close"))),
            "fast_period (30) must be less than slow_period (10)"
        );
        assert_eq!(
            err(validate_backtest(100, 3, 200, &raw("close"))),
            "slow_period (200) exceeds the number of bars (100)"
        );
        assert_eq!(
            err(validate_backtest(100, 3, 20, &raw("open"))),
            "fill must be 'next_open' or 'close', got 'open'"
        );
        let mut bad = raw("open");
        bad.commission_rate = 1.0;
        assert_eq!(
            err(validate_backtest(100, 3, 20, &bad)),
            "commission_rate must be in [0, 1), got 1.0"
        );
        assert_eq!(
            validate_backtest(100, 3, 100, &raw("close")).unwrap().1,
            100
        );
    }

    #[test]
    fn grid_pairs_in_spec_order() {
        let plan = validate_grid(50, &[5, 2, 10], &[10, 3], &raw("next_open"), None).unwrap();
        assert_eq!(plan.pairs, vec![(5, 10), (2, 10), (2, 3)]);
        let e = validate_grid(50, &[5], &[4], &raw("next_open"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the grid has no pair with fast_period < slow_period"
        );
        let e = validate_grid(50, &[5], &[4, 60], &raw("next_open"), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "slow_periods[1] (60) exceeds the number of bars (50)"
        );
        let e = validate_grid(50, &[5], &[6], &raw("next_open"), Some(0)).unwrap_err();
        assert_eq!(e.to_string(), "max_workers must be >= 1, got 0");
    }
}
