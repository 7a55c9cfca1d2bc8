//! JS values to and from the core's wire [`Value`], through serde-wasm-bindgen.

use js_sys::{Float64Array, Int32Array, Object};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js_error, set};
use crate::api::Value;
use crate::{BacktestError, ErrorKind};

/// A JS value (object, array, string, number, boolean, null/undefined, BigInt) as the core's
/// wire value. JS has one number type, so an integral number is an integer, exactly, however
/// large (`2**70` reaches a message as 1180591620717411303424); NaN and infinities stay floats.
pub(super) fn wire(value: &JsValue) -> Result<Value, JsValue> {
    serde_wasm_bindgen::from_value::<Value>(value.clone())
        .map(integral)
        .map_err(|e| {
            js_error(BacktestError::new(
                ErrorKind::Parameter,
                format!("cannot read the request: {e}"),
            ))
        })
}

fn integral(v: Value) -> Value {
    match v {
        Value::Float(x) if x.is_finite() && x.fract() == 0.0 => {
            if x.abs() < 2f64.powi(127) {
                Value::Int(x as i128)
            } else {
                // Rust prints a double's exact decimal value.
                Value::BigInt(format!("{x:.0}"))
            }
        }
        Value::List(items) => Value::List(items.into_iter().map(integral).collect()),
        Value::Map(entries) => {
            Value::Map(entries.into_iter().map(|(k, v)| (k, integral(v))).collect())
        }
        other => other,
    }
}

/// A serde value as a JS value: maps as plain objects, `None` as `null`.
pub(super) fn to_js(value: &impl Serialize) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true);
    // The core's outputs are maps, lists, strings and numbers: they always serialize.
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// One sweep column as a typed array: `Int32Array` when every value is an integer that fits
/// (params are at most 2^31 - 1), else `Float64Array`.
pub(super) fn column(target: &Object, name: &str, values: &[Value]) {
    let ints: Option<Vec<i32>> = values
        .iter()
        .map(|v| match v {
            Value::Int(i) => i32::try_from(*i).ok(),
            _ => None,
        })
        .collect();
    match ints {
        Some(ints) => set(target, name, Int32Array::from(&ints[..])),
        None => {
            let floats: Vec<f64> = values
                .iter()
                .map(|v| v.as_number().unwrap_or(f64::NAN))
                .collect();
            set(target, name, Float64Array::from(&floats[..]))
        }
    }
}
