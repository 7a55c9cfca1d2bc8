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
    let binder = Binder { params };
    let mut bound = strategy.clone();
    for side in bound.sides.iter_mut().flatten() {
        binder.condition(side)?;
    }
    if let Some(c) = bound.constraint.as_mut() {
        binder.condition(c)?;
    }
    Ok(bound)
}

struct Binder<'a> {
    params: &'a [(String, Value)],
}

impl Binder<'_> {
    fn value(&self, name: &str) -> &Value {
        &self
            .params
            .iter()
            .find(|(n, _)| n == name)
            .expect("param names were checked")
            .1
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
                if let Num::Param(name) = num {
                    let v = self.value(name);
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
                    self.number(num, &format!("{path}.{}", spec.name), spec)?;
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
                self.number(periods, &format!("{path}.periods"), &PERIODS)?;
                self.series(series)
            }
        }
    }

    fn number(&self, num: &mut Num, path: &str, spec: &ParamSpec) -> Result<()> {
        if let Num::Param(name) = num {
            let x = check_number(self.value(name), path, spec)?;
            debug_assert!(!spec.integer || x <= MAX_INT_PARAM as f64);
            *num = Num::Lit(x);
        }
        Ok(())
    }
}
