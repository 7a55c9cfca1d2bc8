//! A bound strategy's conditions evaluated one bar at a time: each indicator and lag a small
//! state fed the bar (sources first), each condition read from the current values. The values
//! are those of the batch table at that bar, bit for bit: the batch indicators are the folds of
//! these states, and a lag is the value `k` bars back.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use crate::execution::Bar;
use crate::strategy::catalog::PriceField;
use crate::strategy::signals::{visit_condition, SeriesKey};
use crate::strategy::tree::{Bindings, CompareOp, Condition, Series, Strategy};
use crate::strategy::IndicatorState;

/// One bar's inputs: the prices and the volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarInput {
    pub bar: Bar,
    pub volume: f64,
}

impl BarInput {
    fn price(&self, field: PriceField) -> f64 {
        match field {
            PriceField::Open => self.bar.open,
            PriceField::High => self.bar.high,
            PriceField::Low => self.bar.low,
            PriceField::Close => self.bar.close,
            PriceField::Volume => self.volume,
        }
    }
}

/// Where a value comes from at the current bar.
#[derive(Debug, Clone, Copy)]
enum Input {
    Price(PriceField),
    Const(f64),
    /// An output of a computed series, by its index in the current values.
    Value(usize),
}

/// What a computed series keeps between bars; a live run saves these.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SeriesState {
    Indicator(IndicatorState),
    /// The last `periods` values of a lag's source, oldest first.
    Shift {
        periods: usize,
        #[serde(with = "crate::state_json::floats")]
        window: VecDeque<f64>,
    },
}

/// One computed series: its state, its source and where its outputs go.
#[derive(Debug, Clone)]
struct Computed {
    state: SeriesState,
    /// `None`: `atr` (high, low, close).
    source: Option<Input>,
    /// Its first output's index in the current values, and how many it has.
    out: usize,
    outputs: usize,
}

/// A crossing's two series and the `a < b`, `a > b` of the bar before; a live run saves these.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct CrossMemory {
    pub below: bool,
    pub above: bool,
}

#[derive(Debug, Clone)]
enum Node {
    Compare { op: CompareOp, a: Input, b: Input },
    Cross { upward: bool, memory: usize },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A strategy's four sides over streamed bars.
#[derive(Debug, Clone)]
pub struct LiveSignals {
    computed: Vec<Computed>,
    values: Vec<f64>,
    crosses: Vec<(Input, Input)>,
    /// Per crossing, its comparisons at the bar before, and at this bar while it is evaluated.
    memory: Vec<CrossMemory>,
    current: Vec<CrossMemory>,
    sides: [Option<Node>; 4],
}

impl LiveSignals {
    /// The evaluator of a bound strategy (no placeholders left).
    pub fn new(strategy: &Strategy) -> Self {
        let mut this = Self {
            computed: Vec::new(),
            values: Vec::new(),
            crosses: Vec::new(),
            memory: Vec::new(),
            current: Vec::new(),
            sides: Default::default(),
        };
        let mut slots: FxHashMap<SeriesKey, usize> = FxHashMap::default();
        for side in strategy.sides.iter().flatten() {
            // Sources come before the series made of them.
            visit_condition(side, &mut |s| this.add(s, &mut slots));
        }
        this.sides =
            std::array::from_fn(|i| strategy.sides[i].as_ref().map(|c| this.node(c, &slots)));
        this.memory = vec![CrossMemory::default(); this.crosses.len()];
        this.current = this.memory.clone();
        this
    }

    fn input(&self, s: &Series, slots: &FxHashMap<SeriesKey, usize>) -> Input {
        match s {
            Series::Price(field) => Input::Price(*field),
            Series::Const(n) => Input::Const(n.value()),
            Series::Indicator { output, .. } => {
                let key = SeriesKey::of(s, &Bindings::NONE).computation();
                Input::Value(slots[&key] + output)
            }
            Series::Shift { .. } => Input::Value(slots[&SeriesKey::of(s, &Bindings::NONE)]),
        }
    }

    fn add(&mut self, s: &Series, slots: &mut FxHashMap<SeriesKey, usize>) {
        let key = SeriesKey::of(s, &Bindings::NONE).computation();
        if slots.contains_key(&key) {
            return;
        }
        let out = self.values.len();
        let (state, source, outputs) = match s {
            Series::Indicator {
                kind,
                params,
                source,
                ..
            } => {
                let params: Vec<f64> = params.iter().map(|p| p.value()).collect();
                let state = SeriesState::Indicator(IndicatorState::new(*kind, &params));
                let source = source.as_deref().map(|src| self.input(src, slots));
                // A one-output kind names no outputs.
                (state, source, kind.outputs().len().max(1))
            }
            Series::Shift {
                series, periods, ..
            } => {
                let state = SeriesState::Shift {
                    periods: periods.value() as usize,
                    window: VecDeque::new(),
                };
                (state, Some(self.input(series, slots)), 1)
            }
            Series::Price(_) | Series::Const(_) => return,
        };
        self.values.resize(out + outputs, f64::NAN);
        self.computed.push(Computed {
            state,
            source,
            out,
            outputs,
        });
        slots.insert(key, out);
    }

    fn node(&mut self, c: &Condition, slots: &FxHashMap<SeriesKey, usize>) -> Node {
        match c {
            Condition::Compare { op, a, b } => {
                let (a, b) = (self.input(a, slots), self.input(b, slots));
                match op {
                    CompareOp::CrossesAbove | CompareOp::CrossesBelow => {
                        self.crosses.push((a, b));
                        Node::Cross {
                            upward: *op == CompareOp::CrossesAbove,
                            memory: self.crosses.len() - 1,
                        }
                    }
                    _ => Node::Compare { op: *op, a, b },
                }
            }
            Condition::And(parts) => Node::And(parts.iter().map(|p| self.node(p, slots)).collect()),
            Condition::Or(parts) => Node::Or(parts.iter().map(|p| self.node(p, slots)).collect()),
            Condition::Not(inner) => Node::Not(Box::new(self.node(inner, slots))),
        }
    }

    #[inline(always)]
    fn value(&self, input: Input, bar: &BarInput) -> f64 {
        match input {
            Input::Price(field) => bar.price(field),
            Input::Const(c) => c,
            Input::Value(i) => self.values[i],
        }
    }

    /// Feeds one bar: the raw signals of the four sides (entry, exit, short entry, short exit)
    /// as bit 0 of a word each; a side not written is never set.
    pub fn update(&mut self, bar: &BarInput) -> [u64; 4] {
        for i in 0..self.computed.len() {
            let (source, out, outputs) = {
                let c = &self.computed[i];
                (c.source, c.out, c.outputs)
            };
            let x = source.map_or(f64::NAN, |s| self.value(s, bar));
            match &mut self.computed[i].state {
                SeriesState::Indicator(state) => {
                    let input = match source {
                        Some(_) => [x, f64::NAN, f64::NAN],
                        None => [bar.bar.high, bar.bar.low, bar.bar.close],
                    };
                    let got = state.update(input);
                    self.values[out..out + outputs].copy_from_slice(&got[..outputs]);
                }
                SeriesState::Shift { periods, window } => {
                    window.push_back(x);
                    self.values[out] = if window.len() > *periods {
                        window.pop_front().expect("not empty")
                    } else {
                        f64::NAN
                    };
                }
            }
        }
        for k in 0..self.crosses.len() {
            let (a, b) = self.crosses[k];
            let (x, y) = (self.value(a, bar), self.value(b, bar));
            self.current[k] = CrossMemory {
                below: x < y,
                above: x > y,
            };
        }
        let mut out = [0u64; 4];
        for (o, side) in out.iter_mut().zip(&self.sides) {
            if let Some(node) = side {
                *o = u64::from(self.holds(node, bar));
            }
        }
        self.memory.copy_from_slice(&self.current);
        out
    }

    fn holds(&self, node: &Node, bar: &BarInput) -> bool {
        match node {
            Node::Compare { op, a, b } => op.holds(self.value(*a, bar), self.value(*b, bar)),
            // Bar t crosses when it is beyond and bar t - 1 was short of it (NaN is neither).
            Node::Cross { upward, memory } => {
                let (before, now) = (self.memory[*memory], self.current[*memory]);
                if *upward {
                    before.below && now.above
                } else {
                    before.above && now.below
                }
            }
            Node::And(parts) => parts.iter().all(|p| self.holds(p, bar)),
            Node::Or(parts) => parts.iter().any(|p| self.holds(p, bar)),
            Node::Not(inner) => !self.holds(inner, bar),
        }
    }

    /// What the evaluator keeps between bars, to save.
    pub(crate) fn state(&self) -> SignalsState {
        SignalsState {
            series: self.computed.iter().map(|c| c.state.clone()).collect(),
            crosses: self.memory.clone(),
        }
    }

    /// Puts back a saved state, if it is one of this strategy's (the same series, of the same
    /// kinds, and as many crossings); else says what differs and changes nothing.
    pub(crate) fn restore(&mut self, saved: SignalsState) -> Result<(), String> {
        if saved.series.len() != self.computed.len() || saved.crosses.len() != self.memory.len() {
            return Err(format!(
                "it holds {} series and {} crossings, the strategy has {} and {}",
                saved.series.len(),
                saved.crosses.len(),
                self.computed.len(),
                self.memory.len()
            ));
        }
        for (i, (s, c)) in saved.series.iter().zip(&self.computed).enumerate() {
            let same = match (s, &c.state) {
                (SeriesState::Indicator(a), SeriesState::Indicator(b)) => {
                    std::mem::discriminant(a) == std::mem::discriminant(b)
                }
                (
                    SeriesState::Shift { periods: a, window },
                    SeriesState::Shift { periods: b, .. },
                ) => a == b && window.len() <= *a,
                _ => false,
            };
            if !same {
                return Err(format!("its series {i} is not the strategy's"));
            }
        }
        for (c, s) in self.computed.iter_mut().zip(saved.series) {
            c.state = s;
        }
        self.memory = saved.crosses;
        Ok(())
    }
}

/// A [`LiveSignals`]' saved state: each computed series' state, in the evaluator's order, and
/// each crossing's comparisons at the last bar.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct SignalsState {
    series: Vec<SeriesState>,
    crosses: Vec<CrossMemory>,
}
