//! From bars to signals: every indicator of a (bound) strategy computed once into a table
//! keyed by (kind, params, source), then each condition evaluated into per-bar bits.

use rustc_hash::{FxHashMap, FxHashSet};

use super::tree::{Bindings, CompareOp, Condition, Series, Strategy};
use crate::api::Value;
use crate::bits::{below_above_word, compare_const_word, compare_word};
use crate::data::MarketData;
use crate::execution::run::SignalWords;
use crate::pool::WorkerPool;
use crate::strategy::catalog::{IndicatorKind, PriceField};

/// A strategy with placeholders over `count` combinations of their values (`values_at(i)`,
/// in `names` order): what a sweep runs.
pub struct Sweep<'a> {
    pub strategy: &'a Strategy,
    pub names: &'a [String],
    pub count: usize,
    pub values_at: &'a (dyn Fn(usize) -> Vec<Value> + Sync),
}

/// The identity of a series (equal keys, equal values): its structure, each number by its
/// bits. An indicator's computation (all its outputs) has `output: None`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SeriesKey {
    Price(PriceField),
    Const(u64),
    Indicator {
        kind: IndicatorKind,
        /// At most three params (macd's), the rest 0: a key is made without allocating.
        params: [u64; 3],
        source: SourceKey,
        output: Option<usize>,
    },
    Shift {
        periods: u64,
        series: Box<SeriesKey>,
    },
}

/// An indicator's source in its key: a price column inline (the common case), else boxed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceKey {
    /// `atr` (high, low and close).
    None,
    Price(PriceField),
    Series(Box<SeriesKey>),
}

impl SeriesKey {
    /// The key of `s` with the placeholders of `b` filled.
    pub fn of(s: &Series, b: &Bindings<'_>) -> Self {
        match s {
            Series::Price(field) => SeriesKey::Price(*field),
            Series::Const(num) => SeriesKey::Const(b.num(num).to_bits()),
            Series::Indicator {
                kind,
                params,
                source,
                output,
                ..
            } => {
                debug_assert!(params.len() <= 3, "no indicator has more than three params");
                let mut bits = [0u64; 3];
                for (slot, p) in bits.iter_mut().zip(params) {
                    *slot = b.num(p).to_bits();
                }
                SeriesKey::Indicator {
                    kind: *kind,
                    params: bits,
                    source: match source.as_deref() {
                        None => SourceKey::None,
                        Some(Series::Price(field)) => SourceKey::Price(*field),
                        Some(other) => SourceKey::Series(Box::new(SeriesKey::of(other, b))),
                    },
                    output: Some(*output),
                }
            }
            Series::Shift {
                series, periods, ..
            } => SeriesKey::Shift {
                periods: b.num(periods).to_bits(),
                series: Box::new(SeriesKey::of(series, b)),
            },
        }
    }

    /// The key of the computation that makes this series (an indicator: all its outputs).
    pub(crate) fn computation(mut self) -> Self {
        if let SeriesKey::Indicator { output, .. } = &mut self {
            *output = None;
        }
        self
    }

    /// The key of output `i` of this computation.
    fn output(&self, i: usize) -> Self {
        let mut key = self.clone();
        if let SeriesKey::Indicator { output, .. } = &mut key {
            *output = Some(i);
        }
        key
    }
}

/// Computed series by key, shared by every run of a sweep on the same bars.
#[derive(Debug, Default, Clone)]
pub struct SeriesTable {
    series: FxHashMap<SeriesKey, Vec<f64>>,
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

    /// Computes every series of `strategy` (its placeholders filled from `b`) the table
    /// lacks, sources first.
    pub fn fill(&mut self, data: &MarketData, strategy: &Strategy, b: &Bindings<'_>) {
        let mut found = Vec::new();
        self.missing(strategy, b, &mut FxHashSet::default(), &mut found);
        self.compute_all(data, found, &WorkerPool::serial());
    }

    /// [`fill`](Self::fill) for a strategy with placeholders over `count` combinations of
    /// their values (`values_at(i)`, in `names` order): found in parallel, a chunk of
    /// combinations per task.
    pub fn fill_from(&mut self, data: &MarketData, sweep: &Sweep<'_>, pool: &WorkerPool) {
        let count = sweep.count;
        let chunks = (pool.threads() * 4).clamp(1, count.max(1));
        let per = count.div_ceil(chunks);
        let this = &*self;
        let found = pool.map_with(
            chunks,
            || (),
            |c, _| {
                let (mut seen, mut found) = (FxHashSet::default(), Vec::new());
                for i in c * per..((c + 1) * per).min(count) {
                    let values = (sweep.values_at)(i);
                    let b = Bindings::new(sweep.names, &values);
                    this.missing(sweep.strategy, &b, &mut seen, &mut found);
                }
                found
            },
        );
        self.compute_all(data, found.into_iter().flatten().collect(), pool);
    }

    /// The computations `strategy` needs that neither the table nor `seen` has.
    fn missing(
        &self,
        strategy: &Strategy,
        b: &Bindings<'_>,
        seen: &mut FxHashSet<SeriesKey>,
        found: &mut Vec<(SeriesKey, Series)>,
    ) {
        for side in strategy.sides.iter().flatten() {
            visit_condition(side, &mut |s| {
                let key = SeriesKey::of(s, b);
                if self.series.contains_key(&key) {
                    return;
                }
                let key = key.computation();
                if seen.insert(key.clone()) {
                    found.push((key, s.bound(b)));
                }
            });
        }
    }

    /// Computes `found` (duplicates dropped), a level of depth at a time: a level's sources
    /// are all in the table before it runs.
    fn compute_all(
        &mut self,
        data: &MarketData,
        found: Vec<(SeriesKey, Series)>,
        pool: &WorkerPool,
    ) {
        let mut levels: Vec<Vec<(SeriesKey, Series)>> = Vec::new();
        let mut seen = FxHashSet::default();
        for (key, node) in found {
            if seen.insert(key.clone()) {
                let depth = depth(&node);
                if levels.len() < depth {
                    levels.resize_with(depth, Vec::new);
                }
                levels[depth - 1].push((key, node));
            }
        }
        for level in levels {
            let outputs = pool.map_with(level.len(), || (), |i, _| self.compute(data, &level[i].1));
            for ((key, node), values) in level.into_iter().zip(outputs) {
                match node {
                    Series::Indicator { .. } => {
                        for (i, v) in values.into_iter().enumerate() {
                            self.series.insert(key.output(i), v);
                        }
                    }
                    _ => {
                        let v = values.into_iter().next().expect("one output");
                        self.series.insert(key, v);
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
                    Some(src) => match self.values(data, src, &Bindings::NONE) {
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
                let shifted = match self.values(data, series, &Bindings::NONE) {
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

    fn values<'a>(&'a self, data: &'a MarketData, s: &Series, b: &Bindings<'_>) -> Values<'a> {
        match s {
            Series::Price(field) => Values::Array(match field {
                PriceField::Open => data.open(),
                PriceField::High => data.high(),
                PriceField::Low => data.low(),
                PriceField::Close => data.close(),
                PriceField::Volume => data.volume(),
            }),
            Series::Const(num) => Values::Scalar(b.num(num)),
            _ => Values::Array(&self.series[&SeriesKey::of(s, b)]),
        }
    }

    /// The strategy's four sides over this table's series (which hold all of its own), with
    /// the placeholders of `b` filled, evaluated a word of 64 bars at a time as a run asks.
    pub fn words<'a>(
        &'a self,
        data: &'a MarketData,
        strategy: &Strategy,
        b: &Bindings<'_>,
    ) -> StrategyWords<'a> {
        let mut pairs = Vec::new();
        let sides = std::array::from_fn(|i| {
            strategy.sides[i]
                .as_ref()
                .map(|c| self.node(data, c, b, &mut pairs))
        });
        StrategyWords {
            sides,
            pairs,
            w: 0,
            n: data.len(),
        }
    }

    fn node<'a>(
        &'a self,
        data: &'a MarketData,
        c: &Condition,
        bindings: &Bindings<'_>,
        pairs: &mut Vec<Pair<'a>>,
    ) -> Node {
        match c {
            Condition::Compare { op, a, b } => {
                let (a, b) = (
                    self.values(data, a, bindings),
                    self.values(data, b, bindings),
                );
                match op {
                    CompareOp::CrossesAbove | CompareOp::CrossesBelow => {
                        // Entry and exit usually cross the same two series both ways: the
                        // pair's comparisons are made once per word.
                        let key = (identity(a), identity(b));
                        let pair = match pairs.iter().position(|p| p.key == key) {
                            Some(i) => i,
                            None => {
                                pairs.push(Pair::new(key, a, b));
                                pairs.len() - 1
                            }
                        };
                        Node::Cross {
                            upward: *op == CompareOp::CrossesAbove,
                            pair,
                        }
                    }
                    _ => Node::Compare {
                        op: *op,
                        pair: {
                            pairs.push(Pair::new((identity(a), identity(b)), a, b));
                            pairs.len() - 1
                        },
                    },
                }
            }
            Condition::And(parts) => Node::And(
                parts
                    .iter()
                    .map(|p| self.node(data, p, bindings, pairs))
                    .collect(),
            ),
            Condition::Or(parts) => Node::Or(
                parts
                    .iter()
                    .map(|p| self.node(data, p, bindings, pairs))
                    .collect(),
            ),
            Condition::Not(inner) => Node::Not(Box::new(self.node(data, inner, bindings, pairs))),
        }
    }
}

/// A strategy's conditions, read a word at a time (see [`SeriesTable::words`]).
pub struct StrategyWords<'a> {
    sides: [Option<Node>; 4],
    pairs: Vec<Pair<'a>>,
    w: usize,
    n: usize,
}

impl SignalWords for StrategyWords<'_> {
    fn next_words(&mut self) -> [u64; 4] {
        let (w, n) = (self.w, self.n);
        self.w += 1;
        let mut out = [0u64; 4];
        for (o, side) in out.iter_mut().zip(&self.sides) {
            if let Some(node) = side {
                *o = node.word(w, n, &mut self.pairs);
            }
        }
        out
    }
}

/// Two series a condition compares, with the current word's `a < b` and `a > b` and the
/// previous word's last bar of each (what a crossing at the word's first bar needs).
struct Pair<'a> {
    key: (Identity, Identity),
    a: Values<'a>,
    b: Values<'a>,
    /// The word `below` and `above` hold (`usize::MAX`: none yet).
    w: usize,
    below: u64,
    above: u64,
    carry: (u64, u64),
}

impl<'a> Pair<'a> {
    fn new(key: (Identity, Identity), a: Values<'a>, b: Values<'a>) -> Self {
        Self {
            key,
            a,
            b,
            w: usize::MAX,
            below: 0,
            above: 0,
            carry: (0, 0),
        }
    }

    /// Makes word `w`'s comparisons (words come in order).
    fn at(&mut self, w: usize, n: usize) -> &Self {
        if self.w != w {
            debug_assert!(
                self.w.wrapping_add(1) == w,
                "words come in order, none skipped"
            );
            if self.w != usize::MAX {
                self.carry = (self.below >> 63, self.above >> 63);
            }
            let range = w * 64..((w + 1) * 64).min(n);
            (self.below, self.above) = match (self.a, self.b) {
                (Values::Array(a), Values::Array(b)) => {
                    below_above_word(&a[range.clone()], &b[range])
                }
                (a, b) => (
                    compare(range.clone(), a, b, |x, y| x < y),
                    compare(range, a, b, |x, y| x > y),
                ),
            };
            self.w = w;
        }
        self
    }
}

/// Where a series' values are (an array's address and length, or a constant's bits).
type Identity = (usize, u64);

fn identity(v: Values<'_>) -> Identity {
    match v {
        Values::Array(a) => (a.as_ptr() as usize, a.len() as u64),
        Values::Scalar(c) => (0, c.to_bits()),
    }
}

/// A condition; comparisons refer to their pair of series.
enum Node {
    Compare { op: CompareOp, pair: usize },
    Cross { upward: bool, pair: usize },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

impl Node {
    /// Word `w` (words are asked for in order).
    fn word(&self, w: usize, n: usize, pairs: &mut [Pair<'_>]) -> u64 {
        match self {
            Node::Compare { op, pair } => {
                let (p, op) = (&pairs[*pair], *op);
                compare(w * 64..((w + 1) * 64).min(n), p.a, p.b, move |x, y| {
                    op.holds(x, y)
                })
            }
            Node::Cross { upward, pair } => {
                let p = pairs[*pair].at(w, n);
                // Bar t crosses when it is beyond and bar t - 1 was short of it.
                if *upward {
                    ((p.below << 1) | p.carry.0) & p.above
                } else {
                    ((p.above << 1) | p.carry.1) & p.below
                }
            }
            Node::And(parts) => parts.iter().fold(!0, |x, p| x & p.word(w, n, pairs)),
            Node::Or(parts) => parts.iter().fold(0, |x, p| x | p.word(w, n, pairs)),
            Node::Not(inner) => !inner.word(w, n, pairs),
        }
    }
}

#[derive(Clone, Copy)]
enum Values<'a> {
    Array(&'a [f64]),
    Scalar(f64),
}

/// `op` over the bars of `range` (one word's worth).
fn compare(
    range: std::ops::Range<usize>,
    a: Values<'_>,
    b: Values<'_>,
    op: impl Fn(f64, f64) -> bool,
) -> u64 {
    match (a, b) {
        (Values::Array(a), Values::Array(b)) => compare_word(&a[range.clone()], &b[range], op),
        (Values::Array(a), Values::Scalar(c)) => compare_const_word(&a[range], c, op),
        (Values::Scalar(c), Values::Array(b)) => compare_const_word(&b[range], c, |y, x| op(x, y)),
        (Values::Scalar(x), Values::Scalar(y)) => {
            if op(x, y) {
                !0
            } else {
                0
            }
        }
    }
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
pub(crate) fn visit_condition<'a>(c: &'a Condition, f: &mut impl FnMut(&'a Series)) {
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
