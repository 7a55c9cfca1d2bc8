//! A strategy as the engine holds it after checking: series, conditions and the four sides.
//! Params may still be placeholders (`Num::Param`); `bind` fills them.

use std::sync::Arc;

use super::catalog::{IndicatorKind, PriceField};
use crate::api::Value;

/// A number written in the tree: a literal (already checked) or a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    Lit(f64),
    Param(String),
}

impl Num {
    /// The placeholder's name, if it is one.
    pub fn param(&self) -> Option<&str> {
        match self {
            Num::Param(name) => Some(name),
            Num::Lit(_) => None,
        }
    }

    /// The literal; a bound tree has no placeholders left.
    pub fn value(&self) -> f64 {
        match self {
            Num::Lit(x) => *x,
            Num::Param(name) => unreachable!("param '{name}' is not bound"),
        }
    }
}

/// The values of one combination of params (names and values in the same order), read where
/// a tree still has placeholders; `NONE` for a bound tree. Values were checked when planned.
#[derive(Debug, Clone, Copy)]
pub struct Bindings<'a> {
    names: &'a [String],
    values: &'a [Value],
}

impl<'a> Bindings<'a> {
    pub const NONE: Bindings<'static> = Bindings {
        names: &[],
        values: &[],
    };

    pub fn new(names: &'a [String], values: &'a [Value]) -> Self {
        Self { names, values }
    }

    /// A number of the tree: its literal, or its placeholder's value (as `bind` writes it).
    #[inline]
    pub fn num(&self, n: &Num) -> f64 {
        match n {
            Num::Lit(x) => *x,
            Num::Param(name) => {
                let i = self
                    .names
                    .iter()
                    .position(|k| k == name)
                    .unwrap_or_else(|| unreachable!("param '{name}' is not bound"));
                self.values[i].as_number().expect("checked when planned")
            }
        }
    }
}

/// A series over the bars.
#[derive(Debug, Clone, PartialEq)]
pub enum Series {
    Price(PriceField),
    Const(Num),
    Indicator {
        kind: IndicatorKind,
        /// In the catalog's order, defaults filled.
        params: Vec<Num>,
        /// `None` only for `atr`.
        source: Option<Box<Series>>,
        /// Index into the kind's outputs (0 for one-output indicators).
        output: usize,
        /// Where it is written (for messages; shared by the copies a sweep binds).
        path: Arc<str>,
    },
    Shift {
        series: Box<Series>,
        periods: Num,
        path: Arc<str>,
    },
}

impl Series {
    /// This series with its placeholders replaced by their values.
    pub fn bound(&self, b: &Bindings<'_>) -> Series {
        let lit = |n: &Num| Num::Lit(b.num(n));
        match self {
            Series::Price(f) => Series::Price(*f),
            Series::Const(n) => Series::Const(lit(n)),
            Series::Indicator {
                kind,
                params,
                source,
                output,
                path,
            } => Series::Indicator {
                kind: *kind,
                params: params.iter().map(lit).collect(),
                source: source.as_deref().map(|s| Box::new(s.bound(b))),
                output: *output,
                path: path.clone(),
            },
            Series::Shift {
                series,
                periods,
                path,
            } => Series::Shift {
                series: Box::new(series.bound(b)),
                periods: lit(periods),
                path: path.clone(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Gt,
    Lt,
    Ge,
    Le,
    CrossesAbove,
    CrossesBelow,
}

impl CompareOp {
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
        CompareOp::CrossesAbove,
        CompareOp::CrossesBelow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
            CompareOp::CrossesAbove => "crosses_above",
            CompareOp::CrossesBelow => "crosses_below",
        }
    }

    /// `a op b` on two numbers (NaN is never true).
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CompareOp::Gt => a > b,
            CompareOp::Lt => a < b,
            CompareOp::Ge => a >= b,
            CompareOp::Le => a <= b,
            CompareOp::CrossesAbove | CompareOp::CrossesBelow => false,
        }
    }
}

/// A condition over the bars (or, in a constraint, over the params).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare { op: CompareOp, a: Series, b: Series },
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

/// The four sides of a strategy, in their order.
pub const SIDES: [&str; 4] = ["entry", "exit", "short_entry", "short_exit"];

/// A checked strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// entry, exit, short_entry, short_exit.
    pub sides: [Option<Condition>; 4],
    /// Its execution defaults, checked, as written.
    pub settings: Vec<(String, crate::api::Value)>,
    pub constraint: Option<Condition>,
    /// Each placeholder with the path of its first use, in first-use order (sides in order,
    /// then the constraint).
    pub params: Vec<(String, String)>,
}

impl Strategy {
    pub fn entry(&self) -> Option<&Condition> {
        self.sides[0].as_ref()
    }
}
