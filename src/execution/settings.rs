//! Execution settings: the one table of names, defaults and checks (docs/CONVENTIONS.md,
//! "Settings"), and the resolved [`ExecSettings`] a run uses.

use crate::api::{key_shown, key_text, Value};
use crate::error::{BacktestError, ErrorKind, Result};
use crate::params::Fill;
use crate::strategy::names::nearest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    LongOnly,
    ShortOnly,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SizeType {
    /// A fraction of the cash available.
    #[default]
    Percent,
    /// Cash per order (capped at the cash available).
    Value,
    /// Units per order (capped at what the cash buys).
    Amount,
}

impl SizeType {
    fn name(self) -> &'static str {
        match self {
            SizeType::Percent => "percent",
            SizeType::Value => "value",
            SizeType::Amount => "amount",
        }
    }
}

/// Everything a run needs besides the signals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExecSettings {
    pub initial_capital: f64,
    pub commission_rate: f64,
    pub fixed_fee: f64,
    pub slippage: f64,
    pub fill: Fill,
    pub lot_size: f64,
    pub periods_per_year: f64,
    pub direction: Direction,
    pub size_type: SizeType,
    pub size: f64,
    pub stop_loss: Option<f64>,
    pub take_profit: Option<f64>,
    pub trailing_stop: Option<f64>,
}

impl Default for ExecSettings {
    fn default() -> Self {
        Self {
            initial_capital: 100_000.0,
            commission_rate: 0.001,
            fixed_fee: 0.0,
            slippage: 0.0,
            fill: Fill::NextOpen,
            lot_size: 0.0,
            periods_per_year: 252.0,
            direction: Direction::LongOnly,
            size_type: SizeType::Percent,
            size: 1.0,
            stop_loss: None,
            take_profit: None,
            trailing_stop: None,
        }
    }
}

impl ExecSettings {
    pub fn has_stops(&self) -> bool {
        self.stop_loss.is_some() || self.take_profit.is_some() || self.trailing_stop.is_some()
    }
}

/// The settings' names, in table order.
pub const SETTING_NAMES: [&str; 13] = [
    "initial_capital",
    "commission_rate",
    "fixed_fee",
    "slippage",
    "fill",
    "lot_size",
    "periods_per_year",
    "direction",
    "size_type",
    "size",
    "stop_loss",
    "take_profit",
    "trailing_stop",
];

fn invalid(message: String) -> BacktestError {
    BacktestError::new(ErrorKind::Parameter, message)
}

/// Refuses the first unknown name; `within` names the object (`strategy.settings`).
pub fn check_setting_names(entries: &[(String, Value)], within: Option<&str>) -> Result<()> {
    check_names_among(entries, within, &[])
}

/// As [`check_setting_names`], with the names a caller adds (a portfolio's `max_positions`).
pub fn check_names_among(
    entries: &[(String, Value)],
    within: Option<&str>,
    extra: &[&str],
) -> Result<()> {
    for (name, _) in entries {
        if !SETTING_NAMES.contains(&name.as_str()) && !extra.contains(&name.as_str()) {
            let place = within.map(|w| format!(" in {w}")).unwrap_or_default();
            return Err(invalid(format!(
                "unknown setting {}{place}; did you mean '{}'?",
                key_shown(name),
                nearest(key_text(name), SETTING_NAMES.iter().chain(extra).copied())
            )));
        }
    }
    Ok(())
}

/// Applies `entries` (names already checked) over `base`, checking each value in table
/// order; `prefix` is put before a name in messages (`strategy.settings.`).
pub fn apply_settings(
    base: &ExecSettings,
    entries: &[(String, Value)],
    prefix: &str,
) -> Result<ExecSettings> {
    let mut s = *base;
    let get = |name: &str| entries.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let number = |name: &str, v: &Value| -> Result<f64> {
        v.as_number().ok_or_else(|| {
            invalid(format!(
                "{prefix}{name} must be a number, got {}",
                v.describe()
            ))
        })
    };
    let check = |name: &str, v: &Value, ok: fn(f64) -> bool, domain: &str| -> Result<f64> {
        let x = number(name, v)?;
        if ok(x) {
            Ok(x)
        } else {
            Err(invalid(format!(
                "{prefix}{name} must be {domain}, got {}",
                v.describe()
            )))
        }
    };
    let choice = |name: &str, v: &Value, options: &[&str], words: &str| -> Result<usize> {
        match v {
            Value::Str(text) if options.contains(&text.as_str()) => {
                Ok(options.iter().position(|o| o == text).unwrap())
            }
            other => Err(invalid(format!(
                "{prefix}{name} must be {words}, got {}",
                other.describe()
            ))),
        }
    };
    let optional = |name: &str, v: &Value, ok: fn(f64) -> bool, domain: &str| {
        if v.is_null() {
            Ok(None)
        } else {
            check(name, v, ok, domain).map(Some)
        }
    };
    let positive = |x: f64| x.is_finite() && x > 0.0;
    let non_negative = |x: f64| x.is_finite() && x >= 0.0;
    let fraction = |x: f64| (0.0..1.0).contains(&x);
    let open_unit = |x: f64| x > 0.0 && x < 1.0;
    for name in SETTING_NAMES {
        let Some(v) = get(name) else { continue };
        match name {
            "initial_capital" => {
                s.initial_capital = check(name, v, positive, "a finite number > 0")?
            }
            "commission_rate" => s.commission_rate = check(name, v, fraction, "in [0, 1)")?,
            "fixed_fee" => s.fixed_fee = check(name, v, non_negative, "a finite number >= 0")?,
            "slippage" => s.slippage = check(name, v, fraction, "in [0, 1)")?,
            "fill" => {
                let i = choice(name, v, &["next_open", "close"], "'next_open' or 'close'")?;
                s.fill = [Fill::NextOpen, Fill::Close][i];
            }
            "lot_size" => s.lot_size = check(name, v, non_negative, "a finite number >= 0")?,
            "periods_per_year" => {
                s.periods_per_year = check(name, v, positive, "a finite number > 0")?
            }
            "direction" => {
                let i = choice(
                    name,
                    v,
                    &["long_only", "short_only", "both"],
                    "'long_only', 'short_only' or 'both'",
                )?;
                s.direction = [Direction::LongOnly, Direction::ShortOnly, Direction::Both][i];
            }
            "size_type" => {
                let i = choice(
                    name,
                    v,
                    &["percent", "value", "amount"],
                    "'percent', 'value' or 'amount'",
                )?;
                s.size_type = [SizeType::Percent, SizeType::Value, SizeType::Amount][i];
            }
            "size" => s.size = number(name, v)?,
            "stop_loss" => s.stop_loss = optional(name, v, open_unit, "in (0, 1)")?,
            "take_profit" => s.take_profit = optional(name, v, positive, "a finite number > 0")?,
            "trailing_stop" => s.trailing_stop = optional(name, v, open_unit, "in (0, 1)")?,
            _ => unreachable!(),
        }
        // The size is checked against its type once both are known.
        if name == "size" || (name == "size_type" && get("size").is_none()) {
            check_size(&s, prefix, get("size"))?;
        }
    }
    Ok(s)
}

/// `size` against its type.
fn check_size(s: &ExecSettings, prefix: &str, given: Option<&Value>) -> Result<()> {
    let x = s.size;
    let ok = match s.size_type {
        SizeType::Percent => x > 0.0 && x <= 1.0,
        SizeType::Value | SizeType::Amount => x.is_finite() && x > 0.0,
    };
    if ok {
        return Ok(());
    }
    let domain = match s.size_type {
        SizeType::Percent => "in (0, 1]",
        _ => "a finite number > 0",
    };
    Err(invalid(format!(
        "{prefix}size must be {domain} for size_type '{}', got {}",
        s.size_type.name(),
        given.map_or_else(|| format!("{x:?}"), Value::describe)
    )))
}
