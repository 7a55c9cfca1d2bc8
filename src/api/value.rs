//! The wire value: what a door hands the core for a strategy, settings or params (a JSON-like
//! tree). It keeps integers exact (to 128 bits, so a huge one is reported as given), tells
//! integers from floats, and keeps object keys in their order (the first bad key is the first
//! one written). Python fills it through `pythonize`, JS through `serde-wasm-bindgen`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON-like value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer beyond 128 bits, in decimal (never valid where an integer is checked).
    BigInt(String),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The value of `key` in a map (`None` for other values or a missing key).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A number (int or float, not a bool) as f64.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(digits) => digits.parse().ok(),
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// How a message shows the value (docs/CONVENTIONS.md, "Values in messages").
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(digits) => digits.clone(),
            Value::Float(x) => format!("{x:?}"),
            Value::Str(s) => format!("'{s}'"),
            Value::List(_) => "an array".into(),
            Value::Map(_) => "an object".into(),
        }
    }
}

/// Object keys that are not strings (a Python dict may have them) are kept as this marker
/// followed by the key as a value is written, so that messages can name them.
const NON_STRING_KEY: char = '\u{1}';

/// The one key of serde's arbitrary-precision number maps (pythonize for huge ints, serde_json
/// with `arbitrary_precision` for every number).
pub(crate) const BIG_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// An object key as a message names it: a string in single quotes, anything else as a value.
pub fn key_shown(key: &str) -> String {
    match key.strip_prefix(NON_STRING_KEY) {
        Some(value) => value.to_string(),
        None => format!("'{key}'"),
    }
}

/// An object key's text, for nearest-name suggestions.
pub fn key_text(key: &str) -> &str {
    key.strip_prefix(NON_STRING_KEY).unwrap_or(key)
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i128::from(i))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

/// An arbitrary-precision number as written: an integer (exact, or `BigInt` beyond 128 bits)
/// or a float.
fn number_from_text(text: &str) -> Value {
    if let Ok(i) = text.parse::<i128>() {
        Value::Int(i)
    } else if text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        Value::BigInt(text.to_string())
    } else {
        Value::Float(text.parse().unwrap_or(f64::NAN))
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-like value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        i128::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((k, v)) = map.next_entry::<Value, Value>()? {
            // How serde's arbitrary-precision numbers arrive (pythonize, for huge ints).
            if let (Value::Str(token), Value::Str(text)) = (&k, &v) {
                if token == BIG_NUMBER_TOKEN && entries.is_empty() {
                    return Ok(number_from_text(text));
                }
            }
            let key = match k {
                Value::Str(s) => s,
                other => format!("{NON_STRING_KEY}{}", other.describe()),
            };
            entries.push((key, v));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(i) => s.serialize_i64(i),
                Err(_) => s.serialize_i128(*i),
            },
            Value::BigInt(_) => s.serialize_f64(self.as_number().unwrap_or(f64::NAN)),
            Value::Float(x) => s.serialize_f64(*x),
            Value::Str(v) => s.serialize_str(v),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
