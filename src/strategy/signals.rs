//! From bars to signals: every indicator of a (bound) strategy computed once into a table
//! keyed by (kind, params, source), then each condition evaluated into per-bar bits.

use std::collections::HashMap;
use std::sync::Arc;

use super::tree::{CompareOp, Condition, Series, Strategy};
use crate::bits::Bits;
use crate::data::MarketData;
use crate::execution::SignalSet;
use crate::pool::WorkerPool;
use crate::strategy::catalog::PriceField;

/// The identity of a series: equal keys, equal values.
pub fn series_key(s: &Series) -> String {
    match s {
        Series::Price(field) => field.name().to_string(),
        Series::Const(num) => format!("{:?}", num.value()),
        Series::Indicator { output, .. } => format!("{}#{output}", computation_key(s)),
        Series::Shift {
            series, periods, ..
        } => format!("shift({})[{}]", periods.value(), series_key(series)),
    }
}

/// The identity of an indicator's computation (all its outputs).
fn computation_key(s: &Series) -> String {
    match s {
        Series::Indicator {
            kind,
            params,
            source,
            ..
        } => {
            let params: Vec<String> = params.iter().map(|p| format!("{:?}", p.value())).collect();
            let source = source.as_deref().map_or("hlc".to_string(), series_key);
            format!("{}({})[{source}]", kind.name(), params.join(","))
        }
        _ => series_key(s),
    }
}

/// Computed series by key, shared by every run of a sweep on the same bars.
#[derive(Debug, Default, Clone)]
pub struct SeriesTable {
    series: HashMap<String, Arc<[f64]>>,
}

impl SeriesTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    pub fn clear(&mut self) {
        self.series.clear();
    }

    /// Computes (on `pool`) every series of `strategies` the table lacks, sources first.
    /// Strategies are taken one at a time (a sweep binds each combination here and drops it).
    pub fn fill(
        &mut self,
        data: &MarketData,
        strategies: impl IntoIterator<Item = Strategy>,
        pool: &WorkerPool,
    ) {
        // Distinct computations by depth: a level's sources are all in the table before it runs.
        let mut levels: Vec<Vec<(String, Series)>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for strategy in strategies {
            for side in strategy.sides.iter().flatten() {
                visit_condition(side, &mut |s| {
                    if self.series.contains_key(&series_key(s)) {
                        return;
                    }
                    let key = computation_key(s);
                    if !seen.insert(key.clone()) {
                        return;
                    }
                    let depth = depth(s);
                    if levels.len() < depth {
                        levels.resize_with(depth, Vec::new);
                    }
                    levels[depth - 1].push((key, s.clone()));
                });
            }
        }
        for level in levels {
            let outputs = pool.map_with(level.len(), || (), |i, _| self.compute(data, &level[i].1));
            for ((key, node), values) in level.into_iter().zip(outputs) {
                match node {
                    Series::Indicator { .. } => {
                        for (i, v) in values.into_iter().enumerate() {
                            self.series.insert(format!("{key}#{i}"), v.into());
                        }
                    }
                    _ => {
                        let v = values.into_iter().next().expect("one output");
                        self.series.insert(key, v.into());
                    }
                }
            }
        }
    }

    /// Every output of one indicator or lag, from sources already in the table.
    fn compute(&self, data: &MarketData, s: &Series) -> Vec<Vec<f64>> {
        let n = data.len();
        match s {
            Series::Indicator {
                kind,
                params,
                source,
                ..
            } => {
                let params: Vec<f64> = params.iter().map(|p| p.value()).collect();
                let owned;
                let src: &[f64] = match source.as_deref() {
                    None => &[],
                    Some(src) => match self.values(data, src) {
                        Values::Array(a) => a,
                        Values::Scalar(c) => {
                            owned = vec![c; n];
                            &owned
                        }
                    },
                };
                kind.compute(&params, src, data.high(), data.low(), data.close())
            }
            Series::Shift {
                series, periods, ..
            } => {
                let k = periods.value() as usize;
                let shifted = match self.values(data, series) {
                    Values::Array(a) => (0..n)
                        .map(|t| if t >= k { a[t - k] } else { f64::NAN })
                        .collect(),
                    Values::Scalar(c) => {
                        (0..n).map(|t| if t >= k { c } else { f64::NAN }).collect()
                    }
                };
                vec![shifted]
            }
            _ => unreachable!("prices and constants are not computed"),
        }
    }

    fn values<'a>(&'a self, data: &'a MarketData, s: &Series) -> Values<'a> {
        match s {
            Series::Price(field) => Values::Array(match field {
                PriceField::Open => data.open(),
                PriceField::High => data.high(),
                PriceField::Low => data.low(),
                PriceField::Close => data.close(),
                PriceField::Volume => data.volume(),
            }),
            Series::Const(num) => Values::Scalar(num.value()),
            _ => Values::Array(&self.series[&series_key(s)]),
        }
    }

    /// The strategy's four sides as bits (the table holds its series).
    pub fn signals(&self, data: &MarketData, strategy: &Strategy) -> SignalSet {
        let eval = |i: usize| strategy.sides[i].as_ref().map(|c| self.condition(data, c));
        SignalSet {
            entry: eval(0),
            exit: eval(1),
            short_entry: eval(2),
            short_exit: eval(3),
        }
    }

    fn condition(&self, data: &MarketData, c: &Condition) -> Bits {
        let n = data.len();
        match c {
            Condition::Compare { op, a, b } => {
                let (a, b) = (self.values(data, a), self.values(data, b));
                match op {
                    CompareOp::CrossesAbove | CompareOp::CrossesBelow => {
                        let below = compare(n, a, b, |x, y| x < y);
                        let above = compare(n, a, b, |x, y| x > y);
                        if *op == CompareOp::CrossesAbove {
                            below.shifted_one().and(&above)
                        } else {
                            above.shifted_one().and(&below)
                        }
                    }
                    _ => {
                        let op = *op;
                        compare(n, a, b, move |x, y| op.holds(x, y))
                    }
                }
            }
            Condition::And(parts) => fold(parts, |p| self.condition(data, p), Bits::and),
            Condition::Or(parts) => fold(parts, |p| self.condition(data, p), Bits::or),
            Condition::Not(inner) => self.condition(data, inner).not(),
        }
    }
}

#[derive(Clone, Copy)]
enum Values<'a> {
    Array(&'a [f64]),
    Scalar(f64),
}

fn compare(n: usize, a: Values<'_>, b: Values<'_>, op: impl Fn(f64, f64) -> bool) -> Bits {
    match (a, b) {
        (Values::Array(a), Values::Array(b)) => Bits::compare(a, b, op),
        (Values::Array(a), Values::Scalar(c)) => Bits::compare_const(a, c, op),
        (Values::Scalar(c), Values::Array(b)) => Bits::compare_const(b, c, |y, x| op(x, y)),
        (Values::Scalar(x), Values::Scalar(y)) => {
            let v = op(x, y);
            Bits::from_fn(n, |_| v)
        }
    }
}

fn fold(
    parts: &[Condition],
    eval: impl Fn(&Condition) -> Bits,
    f: fn(&Bits, &Bits) -> Bits,
) -> Bits {
    let mut acc = eval(&parts[0]);
    for p in &parts[1..] {
        acc = f(&acc, &eval(p));
    }
    acc
}

/// 1 for a computation over prices and constants, more for one over computed series.
fn depth(s: &Series) -> usize {
    match s {
        Series::Price(_) | Series::Const(_) => 0,
        Series::Indicator { source, .. } => 1 + source.as_deref().map_or(0, depth),
        Series::Shift { series, .. } => 1 + depth(series),
    }
}

/// Calls `f` on every indicator and lag of a condition, sources included.
fn visit_condition<'a>(c: &'a Condition, f: &mut impl FnMut(&'a Series)) {
    match c {
        Condition::Compare { a, b, .. } => {
            visit_series(a, f);
            visit_series(b, f);
        }
        Condition::And(parts) | Condition::Or(parts) => {
            parts.iter().for_each(|p| visit_condition(p, f));
        }
        Condition::Not(inner) => visit_condition(inner, f),
    }
}

fn visit_series<'a>(s: &'a Series, f: &mut impl FnMut(&'a Series)) {
    match s {
        Series::Price(_) | Series::Const(_) => {}
        Series::Indicator { source, .. } => {
            if let Some(src) = source {
                visit_series(src, f);
            }
            f(s);
        }
        Series::Shift { series, .. } => {
            visit_series(series, f);
            f(s);
        }
    }
}
