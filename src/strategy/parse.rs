//! Checking a strategy tree given as a wire [`Value`] (docs/CONVENTIONS.md, "Checking a
//! strategy"): the first problem, in the object's order, with the path of its node.

use super::catalog::{IndicatorKind, ParamSpec, PriceField, MAX_INT_PARAM};
use super::names::nearest;
use super::tree::{CompareOp, Condition, Num, Series, Strategy, SIDES};
use crate::api::{key_shown, key_text, Value};
use crate::error::{BacktestError, ErrorKind, Result};
use crate::execution::settings::{apply_settings, check_setting_names, ExecSettings};

/// A strategy object's keys (a portfolio's dict of strategies has none of them).
pub(crate) const STRATEGY_KEYS: [&str; 6] = [
    "entry",
    "exit",
    "short_entry",
    "short_exit",
    "settings",
    "constraint",
];
const CONDITIONS: [&str; 9] = [
    "gt",
    "lt",
    "ge",
    "le",
    "crosses_above",
    "crosses_below",
    "and",
    "or",
    "not",
];
const SERIES_KINDS: &str =
    "a series (a price column, a number, {\"param\": name}, {\"indicator\": ...} or {\"shift\": ...})";

pub(crate) fn invalid(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Strategy, message)
}

/// Checks a strategy and returns it with its placeholders unbound.
pub fn parse_strategy(value: &Value) -> Result<Strategy> {
    let Value::Map(entries) = value else {
        return Err(invalid(format!(
            "strategy must be an object, got {}",
            value.describe()
        )));
    };
    let mut strategy = Strategy {
        sides: [None, None, None, None],
        settings: Vec::new(),
        constraint: None,
        params: Vec::new(),
    };
    let mut uses: [Vec<(String, String)>; 5] = Default::default();
    for (key, v) in entries {
        let Some(slot) = STRATEGY_KEYS.iter().position(|k| k == key) else {
            return Err(invalid(format!(
                "unknown key {} in strategy; did you mean '{}'?",
                key_shown(key),
                nearest(key_text(key), STRATEGY_KEYS)
            )));
        };
        match slot {
            0..=3 if v.is_null() => {}
            0..=3 => {
                let mut p = Parser {
                    uses: &mut uses[slot],
                    constraint: false,
                };
                strategy.sides[slot] = Some(p.condition(v, SIDES[slot])?);
            }
            4 => {
                let Value::Map(settings) = v else {
                    return Err(invalid(format!(
                        "strategy.settings must be an object, got {}",
                        v.describe()
                    )));
                };
                check_setting_names(settings, Some("strategy.settings"))?;
                apply_settings(&ExecSettings::default(), settings, "strategy.settings.")?;
                strategy.settings = settings.clone();
            }
            _ if v.is_null() => {}
            _ => {
                let mut p = Parser {
                    uses: &mut uses[4],
                    constraint: true,
                };
                strategy.constraint = Some(p.condition(v, "constraint")?);
            }
        }
    }
    for side in uses {
        for (name, path) in side {
            if !strategy.params.iter().any(|(n, _)| *n == name) {
                strategy.params.push((name, path));
            }
        }
    }
    Ok(strategy)
}

/// Checks a sweep's own constraint (numbers and placeholders only); `uses` gets its
/// placeholders with their paths.
pub fn parse_constraint(value: &Value, uses: &mut Vec<(String, String)>) -> Result<Condition> {
    Parser {
        uses,
        constraint: true,
    }
    .condition(value, "constraint")
}

struct Parser<'a> {
    /// Placeholders met so far: (name, path of the use).
    uses: &'a mut Vec<(String, String)>,
    /// In a constraint only numbers and placeholders are series.
    constraint: bool,
}

impl Parser<'_> {
    fn condition(&mut self, v: &Value, path: &str) -> Result<Condition> {
        let entry = match v {
            Value::Map(entries) if entries.len() == 1 => &entries[0],
            _ => {
                return Err(invalid(format!(
                    "{path} must be a condition (an object with one key: gt, lt, ge, le, \
                     crosses_above, crosses_below, and, or, not), got {}",
                    v.describe()
                )))
            }
        };
        let (op, arg) = (entry.0.as_str(), &entry.1);
        let here = format!("{path}.{op}");
        if let Some(cmp) = CompareOp::ALL.into_iter().find(|c| c.name() == op) {
            let items = match arg {
                Value::List(items) if items.len() == 2 => items,
                Value::List(items) => {
                    return Err(invalid(format!(
                        "{here} must be a list of 2 series, got {} items",
                        items.len()
                    )))
                }
                other => {
                    return Err(invalid(format!(
                        "{here} must be a list of 2 series, got {}",
                        other.describe()
                    )))
                }
            };
            if self.constraint && matches!(cmp, CompareOp::CrossesAbove | CompareOp::CrossesBelow) {
                return Err(invalid(format!(
                    "{here} is not allowed in a constraint (it compares params: gt, lt, ge, le, and, or, not)"
                )));
            }
            let a = self.series(&items[0], &format!("{here}[0]"))?;
            let b = self.series(&items[1], &format!("{here}[1]"))?;
            return Ok(Condition::Compare { op: cmp, a, b });
        }
        match op {
            "and" | "or" => {
                let items = match arg {
                    Value::List(items) if items.len() >= 2 => items,
                    Value::List(items) => {
                        return Err(invalid(format!(
                            "{here} must be a list of at least 2 conditions, got {} items",
                            items.len()
                        )))
                    }
                    other => {
                        return Err(invalid(format!(
                            "{here} must be a list of at least 2 conditions, got {}",
                            other.describe()
                        )))
                    }
                };
                let parts = items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.condition(c, &format!("{here}[{i}]")))
                    .collect::<Result<Vec<_>>>()?;
                Ok(if op == "and" {
                    Condition::And(parts)
                } else {
                    Condition::Or(parts)
                })
            }
            "not" => Ok(Condition::Not(Box::new(self.condition(arg, &here)?))),
            _ => Err(invalid(format!(
                "unknown condition {} at {path}; did you mean '{}'?",
                key_shown(op),
                nearest(key_text(op), CONDITIONS)
            ))),
        }
    }

    fn series(&mut self, v: &Value, path: &str) -> Result<Series> {
        if self.constraint {
            return match v {
                Value::Int(_) | Value::BigInt(_) | Value::Float(_) => {
                    Ok(Series::Const(Num::Lit(number(v))))
                }
                Value::Map(entries) if entries.iter().any(|(k, _)| k == "param") => {
                    Ok(Series::Const(self.param(entries, path)?))
                }
                _ => Err(invalid(format!(
                    "{path} must be a number or {{\"param\": name}} in a constraint, got {}",
                    v.describe()
                ))),
            };
        }
        match v {
            Value::Str(name) => PriceField::from_name(name)
                .map(Series::Price)
                .ok_or_else(|| {
                    invalid(format!(
                        "unknown price column '{name}' at {path}; did you mean '{}'?",
                        nearest(name, PriceField::ALL.map(PriceField::name))
                    ))
                }),
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) => {
                Ok(Series::Const(Num::Lit(number(v))))
            }
            Value::Map(entries) if entries.iter().any(|(k, _)| k == "param") => {
                Ok(Series::Const(self.param(entries, path)?))
            }
            Value::Map(entries) if entries.iter().any(|(k, _)| k == "indicator") => {
                self.indicator(entries, path)
            }
            Value::Map(entries) if entries.iter().any(|(k, _)| k == "shift") => {
                self.shift(entries, path)
            }
            other => Err(invalid(format!(
                "{path} must be {SERIES_KINDS}, got {}",
                other.describe()
            ))),
        }
    }

    /// `{"param": name}`: the placeholder, recorded with the path of this use.
    fn param(&mut self, entries: &[(String, Value)], path: &str) -> Result<Num> {
        let mut name = None;
        for (k, v) in entries {
            if k != "param" {
                return Err(invalid(format!(
                    "unknown key {} in {path} (param); did you mean 'param'?",
                    key_shown(k)
                )));
            }
            match v {
                Value::Str(s) if !s.is_empty() => name = Some(s.clone()),
                other => {
                    return Err(invalid(format!(
                        "{path}.param must be a non-empty string, got {}",
                        other.describe()
                    )))
                }
            }
        }
        let name = name.expect("the caller saw a 'param' key");
        self.uses.push((name.clone(), path.to_string()));
        Ok(Num::Param(name))
    }

    fn indicator(&mut self, entries: &[(String, Value)], path: &str) -> Result<Series> {
        let name_value = &entries.iter().find(|(k, _)| k == "indicator").unwrap().1;
        let Value::Str(name) = name_value else {
            return Err(invalid(format!(
                "{path}.indicator must be a string, got {}",
                name_value.describe()
            )));
        };
        let kind = IndicatorKind::from_name(name).ok_or_else(|| {
            invalid(format!(
                "unknown indicator '{name}' at {path}; did you mean '{}'?",
                nearest(name, IndicatorKind::ALL.map(IndicatorKind::name))
            ))
        })?;
        let specs = kind.params();
        let mut params: Vec<Option<Num>> = vec![None; specs.len()];
        let mut source = None;
        let mut output = None;
        for (k, v) in entries {
            let here = format!("{path}.{k}");
            if k == "indicator" {
                continue;
            }
            if let Some(i) = specs.iter().position(|s| s.name == k) {
                params[i] = Some(self.number_param(v, &here, &specs[i])?);
            } else if k == "source" && kind.has_source() {
                source = Some(Box::new(self.series(v, &here)?));
            } else if k == "output" && !kind.outputs().is_empty() {
                output = Some(match v {
                    Value::Str(o) => kind.outputs().iter().position(|x| x == o).ok_or_else(|| {
                        invalid(format!(
                            "unknown output '{o}' at {here} (indicator '{name}'); did you mean '{}'?",
                            nearest(o, kind.outputs().iter().copied())
                        ))
                    })?,
                    other => {
                        return Err(invalid(format!(
                            "{here} must be a string, got {}",
                            other.describe()
                        )))
                    }
                });
            } else {
                return Err(invalid(format!(
                    "unknown key {} in {path} (indicator '{name}'); did you mean '{}'?",
                    key_shown(k),
                    nearest(key_text(k), kind.keys())
                )));
            }
        }
        let mut filled = Vec::with_capacity(specs.len());
        for (spec, value) in specs.iter().zip(params) {
            match (value, spec.default) {
                (Some(v), _) => filled.push(v),
                (None, Some(d)) => filled.push(Num::Lit(d)),
                (None, None) => {
                    return Err(invalid(format!(
                        "{path}.{} is required (indicator '{name}')",
                        spec.name
                    )))
                }
            }
        }
        let outputs = kind.outputs();
        if !outputs.is_empty() && output.is_none() {
            return Err(invalid(format!(
                "{path}.output is required (indicator '{name}' has outputs {})",
                outputs.join(", ")
            )));
        }
        let node = Series::Indicator {
            kind,
            params: filled,
            source: kind
                .has_source()
                .then(|| source.unwrap_or(Box::new(Series::Price(PriceField::Close)))),
            output: output.unwrap_or(0),
            path: path.into(),
        };
        check_indicator_relations(&node)?;
        Ok(node)
    }

    fn shift(&mut self, entries: &[(String, Value)], path: &str) -> Result<Series> {
        const PERIODS: ParamSpec = ParamSpec {
            name: "periods",
            default: Some(1.0),
            integer: true,
        };
        let mut series = None;
        let mut periods = Num::Lit(1.0);
        for (k, v) in entries {
            let here = format!("{path}.{k}");
            match k.as_str() {
                "shift" => series = Some(Box::new(self.series(v, &here)?)),
                "periods" => periods = self.number_param(v, &here, &PERIODS)?,
                _ => {
                    return Err(invalid(format!(
                        "unknown key {} in {path} (shift); did you mean '{}'?",
                        key_shown(k),
                        nearest(key_text(k), ["shift", "periods"])
                    )))
                }
            }
        }
        Ok(Series::Shift {
            series: series.expect("the caller saw a 'shift' key"),
            periods,
            path: path.into(),
        })
    }

    /// A param's value: a placeholder, or a literal that passes [`check_number`].
    fn number_param(&mut self, v: &Value, path: &str, spec: &ParamSpec) -> Result<Num> {
        if let Value::Map(entries) = v {
            if entries.iter().any(|(k, _)| k == "param") {
                return self.param(entries, path);
            }
        }
        check_number(v, path, spec).map(Num::Lit)
    }
}

fn number(v: &Value) -> f64 {
    v.as_number().expect("a number")
}

/// A param value against its spec: an integer in `[1, MAX_INT_PARAM]`, or a finite float >= 0.
pub(crate) fn check_number(v: &Value, path: &str, spec: &ParamSpec) -> Result<f64> {
    if spec.integer {
        return match v {
            Value::Int(i) if *i > MAX_INT_PARAM => Err(invalid(format!(
                "{path} must be an integer <= {MAX_INT_PARAM}, got {i}"
            ))),
            Value::Int(i) if *i >= 1 => Ok(*i as f64),
            Value::BigInt(digits) if !digits.starts_with('-') => Err(invalid(format!(
                "{path} must be an integer <= {MAX_INT_PARAM}, got {digits}"
            ))),
            other => Err(invalid(format!(
                "{path} must be an integer >= 1, got {}",
                other.describe()
            ))),
        };
    }
    match v.as_number() {
        Some(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(invalid(format!(
            "{path} must be a finite number >= 0, got {}",
            v.describe()
        ))),
    }
}

/// Checks between an indicator's own params once they are all literals (`macd`: fast < slow).
pub(crate) fn check_indicator_relations(node: &Series) -> Result<()> {
    if let Series::Indicator {
        kind: IndicatorKind::Macd,
        params,
        path,
        ..
    } = node
    {
        if let (Num::Lit(fast), Num::Lit(slow)) = (&params[0], &params[1]) {
            if fast >= slow {
                return Err(invalid(format!(
                    "{path} needs fast < slow, got fast={fast} and slow={slow}"
                )));
            }
        }
    }
    Ok(())
}
