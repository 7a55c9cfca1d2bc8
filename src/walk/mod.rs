//! Walk-forward optimisation (SPEC part 12, docs/CONVENTIONS.md "Walk-forward"): windows of
//! `train` bars then `test` bars moving by `step`; on each, the sweep's best combination on the
//! train bars runs on the test bars, starting flat with the equity the previous test ended with.
//!
//! Every indicator is computed once on all the bars: each value depends only on the bars up to
//! its own (CONVENTIONS, "Indicators"), so it is the value a computation on the bars up to the
//! window's end gives. A window's run reads the strategy's signals from its first bar on
//! ([`WindowWords`]) over a copy of its bars: one asset's ([`one_asset`]) or, on a universe,
//! those of every asset with a bar in the window ([`portfolio`]).

mod one_asset;
mod portfolio;
mod window_words;

use std::ops::Range;

use crate::api::Value;
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::trade::RawTrade;
use crate::execution::ExecSettings;
use crate::metrics::{compute, Metrics, MetricsAccumulator, TradeStats, METRICS};
use crate::pool::WorkerPool;
use crate::strategy::names::nearest;

pub use one_asset::walk_forward;
pub use portfolio::walk_portfolio;
pub(crate) use window_words::WindowWords;

fn parameter_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Parameter, message)
}

/// The walk's own options (besides the sweep's strategy, params, constraint and settings).
#[derive(Debug, Clone, PartialEq)]
pub struct WalkOptions {
    pub train: usize,
    pub test: usize,
    /// How far each window moves (`test` when not given; at least `test`, so that the test
    /// windows do not overlap and their equity stitches into one curve).
    pub step: usize,
    /// Every train window starts at bar 0 (else it is the `train` bars before its test).
    pub anchored: bool,
    /// The metric the best combination maximises (an index in [`METRICS`]).
    pub maximize: usize,
}

/// The option names, in the order they are read.
pub const WALK_OPTION_NAMES: [&str; 5] = ["train", "test", "step", "anchored", "maximize"];

impl WalkOptions {
    /// Reads `{train, test, step?, anchored?, maximize?}` (null: the default).
    pub fn read(options: &Value) -> Result<Self> {
        let Value::Map(entries) = options else {
            return Err(parameter_error(format!(
                "the walk-forward options must be an object, got {}",
                options.describe()
            )));
        };
        if let Some((key, _)) = entries
            .iter()
            .find(|(k, _)| !WALK_OPTION_NAMES.contains(&k.as_str()))
        {
            return Err(parameter_error(format!(
                "unknown walk-forward option '{key}'; did you mean '{}'?",
                nearest(key, WALK_OPTION_NAMES)
            )));
        }
        let get = |k: &str| options.get(k).filter(|v| !v.is_null());
        let count = |k: &str| -> Result<Option<usize>> {
            match get(k) {
                None => Ok(None),
                Some(Value::Int(i)) if *i >= 1 => {
                    Ok(Some(usize::try_from(*i).unwrap_or(usize::MAX)))
                }
                Some(other) => Err(parameter_error(format!(
                    "{k} must be an integer >= 1, got {}",
                    other.describe()
                ))),
            }
        };
        let required = |k: &str| -> Result<usize> {
            count(k)?.ok_or_else(|| parameter_error(format!("{k} is required: a number of bars")))
        };
        let train = required("train")?;
        let test = required("test")?;
        let step = count("step")?.unwrap_or(test);
        if step < test {
            return Err(parameter_error(format!(
                "step ({step}) is less than test ({test}): the test windows would overlap; give step >= test"
            )));
        }
        let anchored = match get("anchored") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(parameter_error(format!(
                    "anchored must be true or false, got {}",
                    other.describe()
                )))
            }
        };
        let maximize = match get("maximize") {
            None => metric_index("sharpe_ratio")?,
            Some(Value::Str(name)) => metric_index(name)?,
            Some(other) => {
                return Err(parameter_error(format!(
                    "maximize must be a metric's name, got {}",
                    other.describe()
                )))
            }
        };
        Ok(Self {
            train,
            test,
            step,
            anchored,
            maximize,
        })
    }

    pub fn maximize_name(&self) -> &'static str {
        METRICS[self.maximize].name
    }

    /// The windows over `bars` bars: every one whose test fits (none: an error that says how
    /// many bars the first one needs).
    pub fn windows(&self, bars: usize) -> Result<Vec<Window>> {
        let need = self.train.saturating_add(self.test);
        if need > bars {
            return Err(parameter_error(format!(
                "the first window needs {need} bars (train {} + test {}), the data has {bars}",
                self.train, self.test
            )));
        }
        let count = (bars - need) / self.step + 1;
        Ok((0..count)
            .map(|k| {
                let test_start = k * self.step + self.train;
                let train_start = if self.anchored { 0 } else { k * self.step };
                Window {
                    train: train_start..test_start,
                    test: test_start..test_start + self.test,
                }
            })
            .collect())
    }
}

/// A metric's index by name (an unknown one: the nearest name).
fn metric_index(name: &str) -> Result<usize> {
    METRICS.iter().position(|m| m.name == name).ok_or_else(|| {
        parameter_error(format!(
            "unknown metric '{name}'; did you mean '{}'?",
            nearest(name, METRICS.iter().map(|m| m.name))
        ))
    })
}

/// One window: its train bars and its test bars (the bars right after them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub train: Range<usize>,
    pub test: Range<usize>,
}

/// The index of the largest score: NaN never wins, ties go to the first; the first when every
/// score is NaN (as `optimize`).
pub fn best_index(scores: impl IntoIterator<Item = f64>) -> usize {
    let mut best: Option<(usize, f64)> = None;
    for (i, x) in scores.into_iter().enumerate() {
        if !x.is_nan() && best.is_none_or(|(_, b)| x > b) {
            best = Some((i, x));
        }
    }
    best.map_or(0, |(i, _)| i)
}

/// One run of a window: its metrics and, when kept, its equity (one value per bar), closed
/// trades (indices in the window's bars) and exposed bars.
pub(crate) struct WindowResult<T> {
    pub metrics: Metrics,
    pub equity: Vec<f64>,
    pub trades: Vec<T>,
    pub exposed_bars: usize,
}

/// A closed trade of a walk: a [`RawTrade`], or one with its asset on a universe.
pub(crate) trait WalkTrade {
    fn raw(&self) -> &RawTrade;
    fn raw_mut(&mut self) -> &mut RawTrade;
}

impl WalkTrade for RawTrade {
    fn raw(&self) -> &RawTrade {
        self
    }
    fn raw_mut(&mut self) -> &mut RawTrade {
        self
    }
}

impl WalkTrade for (usize, RawTrade) {
    fn raw(&self) -> &RawTrade {
        &self.1
    }
    fn raw_mut(&mut self) -> &mut RawTrade {
        &mut self.1
    }
}

/// What a walk runs on: one asset's bars ([`one_asset`]) or a universe's ([`portfolio`]),
/// with every combination's indicators already computed on all of them.
pub(crate) trait WalkBars: Sync {
    /// A closed trade (with its asset, on a universe).
    type Trade: WalkTrade + Send;
    /// A window's copy of the bars, ready to run on.
    type Part: Sync + Send;

    /// Bars (a universe's: union bars).
    fn len(&self) -> usize;

    /// The bars `range` as a window runs on them.
    fn part(&self, range: Range<usize>) -> Self::Part;

    /// Combination `i` over `part` from flat with `settings`; `returns` is scratch; with
    /// `keep` the equity, trades and exposed bars too.
    fn run(
        &self,
        part: &Self::Part,
        i: usize,
        settings: &ExecSettings,
        returns: &mut Vec<f64>,
        keep: bool,
    ) -> WindowResult<Self::Trade>;

    /// The buy and hold return over bars `first..=last`.
    fn buy_and_hold(&self, first: usize, last: usize) -> f64;
}

/// What one window gave.
#[derive(Debug, Clone)]
pub struct WindowRun<T> {
    pub window: Window,
    /// The chosen combination (an index in the sweep).
    pub best: usize,
    pub in_sample: Metrics,
    /// The chosen combination's equity over the train bars.
    pub in_sample_equity: Vec<f64>,
    pub out_of_sample: Metrics,
    pub start_equity: f64,
    /// The test run's equity, one value per test bar.
    pub equity: Vec<f64>,
    /// Its closed trades, with indices in all the bars.
    pub trades: Vec<T>,
}

/// A walk-forward's runs and the stitched out-of-sample equity's metrics.
#[derive(Debug, Clone)]
pub struct WalkRun<T> {
    pub windows: Vec<WindowRun<T>>,
    pub metrics: Metrics,
}

/// Runs every window of `options` over `bars`, trying its `combinations` (in sweep order) on
/// each train window, with `settings`.
pub(crate) fn walk<B: WalkBars>(
    bars: &B,
    combinations: usize,
    settings: &ExecSettings,
    options: &WalkOptions,
    pool: &WorkerPool,
) -> Result<WalkRun<B::Trade>> {
    let windows = options.windows(bars.len())?;
    let combos = combinations;

    // In sample: every combination on every train window, in parallel.
    let train_parts: Vec<B::Part> = windows.iter().map(|w| bars.part(w.train.clone())).collect();
    let in_sample = pool.map_with(windows.len() * combos, Vec::new, |j, returns| {
        let (w, i) = (j / combos, j % combos);
        bars.run(&train_parts[w], i, settings, returns, false)
            .metrics
    });

    // Out of sample: each window's best, in order, from the equity the last one ended with.
    let mut runs = Vec::with_capacity(windows.len());
    let mut exposed_bars = 0;
    let mut capital = settings.initial_capital;
    let mut returns = Vec::new();
    for (w, window) in windows.into_iter().enumerate() {
        let scores = &in_sample[w * combos..(w + 1) * combos];
        let best = best_index(scores.iter().map(|m| m.values()[options.maximize].as_f64()));
        let in_sample_equity = bars
            .run(&train_parts[w], best, settings, &mut returns, true)
            .equity;
        let test_len = window.test.len();
        let test = if capital > 0.0 && capital.is_finite() {
            let test_settings = ExecSettings {
                initial_capital: capital,
                ..*settings
            };
            let part = bars.part(window.test.clone());
            bars.run(&part, best, &test_settings, &mut returns, true)
        } else {
            // Nothing left to trade with: the equity stays where it is.
            let flat = vec![capital; test_len];
            WindowResult {
                metrics: compute(&flat, capital, settings.periods_per_year, 0, 0),
                equity: flat,
                trades: Vec::new(),
                exposed_bars: 0,
            }
        };
        let offset = window.test.start;
        let mut trades = test.trades;
        for t in &mut trades {
            let raw = t.raw_mut();
            raw.entry_index += offset;
            raw.exit_index += offset;
        }
        exposed_bars += test.exposed_bars;
        let start_equity = capital;
        capital = *test.equity.last().expect("a window has bars");
        runs.push(WindowRun {
            window,
            best,
            in_sample: scores[best],
            in_sample_equity,
            out_of_sample: test.metrics,
            start_equity,
            equity: test.equity,
            trades,
        });
    }
    let (first, last) = (
        runs[0].window.test.start,
        runs[runs.len() - 1].window.test.end - 1,
    );
    let mut metrics = stitched_metrics(&runs, exposed_bars, settings);
    metrics.buy_and_hold_return = bars.buy_and_hold(first, last);
    Ok(WalkRun {
        windows: runs,
        metrics,
    })
}

/// The metrics of the test runs' equity one after the other, as one run's: their bars'
/// returns (each test's first from the equity the last one ended with), all their trades
/// and exposed bars (buy and hold left to the caller).
fn stitched_metrics<T: WalkTrade>(
    runs: &[WindowRun<T>],
    exposed_bars: usize,
    settings: &ExecSettings,
) -> Metrics {
    let bars: usize = runs.iter().map(|r| r.equity.len()).sum();
    let mut returns = Vec::new();
    let mut acc = MetricsAccumulator::new(
        settings.initial_capital,
        runs[0].equity[0],
        bars,
        &mut returns,
    );
    let mut stats = TradeStats::default();
    let mut t = 0;
    for r in runs {
        for &e in &r.equity {
            acc.push(t, e);
            t += 1;
        }
        for trade in &r.trades {
            stats.record(trade.raw().pnl, trade.raw().return_pct);
        }
    }
    acc.exposed_bars = exposed_bars;
    acc.finish(bars, settings.periods_per_year, &stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(entries: &[(&str, Value)]) -> Result<WalkOptions> {
        WalkOptions::read(&Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ))
    }

    #[test]
    fn windows_roll_and_anchor() {
        let o = options(&[("train", Value::Int(100)), ("test", Value::Int(50))]).unwrap();
        let w = o.windows(300).unwrap();
        assert_eq!(w.len(), 4);
        assert_eq!(
            w[0],
            Window {
                train: 0..100,
                test: 100..150
            }
        );
        assert_eq!(
            w[3],
            Window {
                train: 150..250,
                test: 250..300
            }
        );
        let o = options(&[
            ("train", Value::Int(100)),
            ("test", Value::Int(50)),
            ("step", Value::Int(60)),
            ("anchored", Value::Bool(true)),
        ])
        .unwrap();
        let w = o.windows(299).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(
            w[2],
            Window {
                train: 0..220,
                test: 220..270
            }
        );
        assert_eq!(
            o.windows(149).unwrap_err().to_string(),
            "the first window needs 150 bars (train 100 + test 50), the data has 149"
        );
    }

    #[test]
    fn bad_options() {
        let msg = |e: &[(&str, Value)]| options(e).unwrap_err().to_string();
        let tt = [("train", Value::Int(10)), ("test", Value::Int(5))];
        assert_eq!(
            msg(&[("train", Value::Int(0))]),
            "train must be an integer >= 1, got 0"
        );
        assert_eq!(
            msg(&[("train", Value::Int(3))]),
            "test is required: a number of bars"
        );
        assert_eq!(
            msg(&[tt[0].clone(), ("test", Value::Float(2.5))]),
            "test must be an integer >= 1, got 2.5"
        );
        assert_eq!(
            msg(&[tt[0].clone(), tt[1].clone(), ("step", Value::Int(4))]),
            "step (4) is less than test (5): the test windows would overlap; give step >= test"
        );
        assert_eq!(
            msg(&[
                tt[0].clone(),
                tt[1].clone(),
                ("maximize", Value::Str("sharpe".into()))
            ]),
            "unknown metric 'sharpe'; did you mean 'sharpe_ratio'?"
        );
        assert_eq!(
            msg(&[tt[0].clone(), tt[1].clone(), ("anchor", Value::Bool(true))]),
            "unknown walk-forward option 'anchor'; did you mean 'anchored'?"
        );
        assert_eq!(
            msg(&[tt[0].clone(), tt[1].clone(), ("anchored", Value::Int(1))]),
            "anchored must be true or false, got 1"
        );
    }

    #[test]
    fn best_is_the_first_largest_and_nan_never_wins() {
        assert_eq!(best_index([f64::NAN, 1.0, 3.0, 3.0, f64::NAN]), 2);
        assert_eq!(best_index([f64::NAN, f64::NAN]), 0);
        assert_eq!(best_index([-1.0, f64::NAN, -0.5]), 2);
    }
}
