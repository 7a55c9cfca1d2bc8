//! Filling a strategy's placeholders from a run's params (docs/CONVENTIONS.md, "Params").

use super::catalog::{ParamSpec, MAX_INT_PARAM};
use super::names::nearest;
use super::parse::{check_indicator_relations, check_number};
use super::tree::{Condition, Num, Series, Strategy};
use crate::api::Value;
use crate::error::{BacktestError, ErrorKind, Result};

fn grid_error(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Grid, message)
}

/// Checks the names of `params` against the strategy's placeholders: each given one is used,
/// each used one is given.
pub fn check_param_names<'a>(
    strategy: &Strategy,
    given: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<()> {
    for name in given.clone() {
        if !strategy.params.iter().any(|(n, _)| n == name) {
            return Err(grid_error(if strategy.params.is_empty() {
                format!("unknown param '{name}'; the strategy has no params")
            } else {
                format!(
                    "unknown param '{name}'; did you mean '{}'?",
                    nearest(name, strategy.params.iter().map(|(n, _)| n.as_str()))
                )
            }));
        }
    }
    for (name, path) in &strategy.params {
        if !given.clone().into_iter().any(|g| g == name) {
            return Err(grid_error(format!(
                "missing value for param '{name}' (used at {path})"
            )));
        }
    }
    Ok(())
}

/// The strategy with every placeholder replaced by its value from `params` (names already
/// checked), each value checked as if written in place.
pub fn bind(strategy: &Strategy, params: &[(String, Value)]) -> Result<Strategy> {
    let (names, values): (Vec<&str>, Vec<&Value>) =
        params.iter().map(|(n, v)| (n.as_str(), v)).unzip();
    bind_values(strategy, &names, &values)
}

/// [`bind`] with the params as two lists, names and values (what a sweep has for each
/// combination). The result holds the bound sides and constraint only: it is what a run reads.
pub fn bind_values(
    strategy: &Strategy,
    names: &[impl AsRef<str>],
    values: &[impl std::borrow::Borrow<Value>],
) -> Result<Strategy> {
    bind_with(
        strategy,
        Binder {
            names,
            values,
            only: None,
        },
    )
}

/// Checks the values of param `k` alone (`values[k]`), as a bind checks them where they are
/// used; the other params are left as placeholders.
pub fn check_one(
    strategy: &Strategy,
    names: &[impl AsRef<str>],
    k: usize,
    value: &Value,
) -> Result<()> {
    let values = vec![value; names.len()];
    bind_with(
        strategy,
        Binder {
            names,
            values: &values,
            only: Some(k),
        },
    )
    .map(|_| ())
}

/// Whether the checks of some value depend on another param's (`macd`'s fast < slow with a
/// placeholder): then a sweep checks whole combinations.
pub fn has_param_relations(strategy: &Strategy) -> bool {
    fn series(s: &Series) -> bool {
        match s {
            Series::Indicator {
                kind: super::IndicatorKind::Macd,
                params,
                ..
            } if params.iter().any(|p| matches!(p, Num::Param(_))) => true,
            Series::Indicator { source, .. } => source.as_deref().is_some_and(series),
            Series::Shift { series: inner, .. } => series(inner),
            _ => false,
        }
    }
    fn condition(c: &Condition) -> bool {
        match c {
            Condition::Compare { a, b, .. } => series(a) || series(b),
            Condition::And(parts) | Condition::Or(parts) => parts.iter().any(condition),
            Condition::Not(inner) => condition(inner),
        }
    }
    strategy.sides.iter().flatten().any(condition)
}

fn bind_with<N: AsRef<str>, V: std::borrow::Borrow<Value>>(
    strategy: &Strategy,
    binder: Binder<'_, N, V>,
) -> Result<Strategy> {
    let mut bound = Strategy {
        sides: strategy.sides.clone(),
        settings: Vec::new(),
        constraint: strategy.constraint.clone(),
        params: Vec::new(),
    };
    for side in bound.sides.iter_mut().flatten() {
        binder.condition(side)?;
    }
    if let Some(c) = bound.constraint.as_mut() {
        binder.condition(c)?;
    }
    Ok(bound)
}

struct Binder<'a, N, V> {
    names: &'a [N],
    values: &'a [V],
    /// Only this param is filled (the others stay placeholders).
    only: Option<usize>,
}

impl<N: AsRef<str>, V: std::borrow::Borrow<Value>> Binder<'_, N, V> {
    /// The value of `name`, unless only another param is being filled.
    fn value(&self, name: &str) -> Option<&Value> {
        let i = self
            .names
            .iter()
            .position(|n| n.as_ref() == name)
            .expect("param names were checked");
        (self.only.is_none_or(|k| k == i)).then(|| self.values[i].borrow())
    }

    fn condition(&self, c: &mut Condition) -> Result<()> {
        match c {
            Condition::Compare { a, b, .. } => {
                self.series(a)?;
                self.series(b)
            }
            Condition::And(parts) | Condition::Or(parts) => {
                parts.iter_mut().try_for_each(|p| self.condition(p))
            }
            Condition::Not(inner) => self.condition(inner),
        }
    }

    fn series(&self, s: &mut Series) -> Result<()> {
        match s {
            Series::Price(_) => Ok(()),
            Series::Const(num) => {
                if let Some(v) = num.param().and_then(|name| self.value(name)) {
                    let name = num.param().unwrap_or_default();
                    let x = v.as_number().ok_or_else(|| {
                        super::parse::invalid(format!(
                            "param '{name}' must be a number, got {}",
                            v.describe()
                        ))
                    })?;
                    *num = Num::Lit(x);
                }
                Ok(())
            }
            Series::Indicator {
                kind,
                params,
                source,
                path,
                ..
            } => {
                for (spec, num) in kind.params().iter().zip(params.iter_mut()) {
                    self.number(num, || format!("{path}.{}", spec.name), spec)?;
                }
                if let Some(src) = source {
                    self.series(src)?;
                }
                check_indicator_relations(s)
            }
            Series::Shift {
                series,
                periods,
                path,
            } => {
                const PERIODS: ParamSpec = ParamSpec {
                    name: "periods",
                    default: Some(1.0),
                    integer: true,
                };
                self.number(periods, || format!("{path}.periods"), &PERIODS)?;
                self.series(series)
            }
        }
    }

    /// `path` is made only for a message (a sweep binds every combination).
    fn number(&self, num: &mut Num, path: impl Fn() -> String, spec: &ParamSpec) -> Result<()> {
        if let Some(v) = num.param().and_then(|name| self.value(name)) {
            let x = match v {
                Value::Int(i) if spec.integer && (1..=MAX_INT_PARAM).contains(i) => *i as f64,
                _ => check_number(v, &path(), spec)?,
            };
            *num = Num::Lit(x);
        }
        Ok(())
    }
}
