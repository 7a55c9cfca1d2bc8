//! How a saved live state writes its floats: a finite number as a JSON number (shortest text
//! that reads back to the same bits), NaN and the infinities as the strings `"NaN"`,
//! `"Infinity"` and `"-Infinity"`, which JSON has no numbers for. Used with `#[serde(with)]`
//! on every float of a state that [`crate::stream`] saves.

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::collections::VecDeque;

/// One float, written as this module says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Float(pub f64);

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let x = self.0;
        if x.is_finite() {
            s.serialize_f64(x)
        } else if x.is_nan() {
            s.serialize_str("NaN")
        } else if x > 0.0 {
            s.serialize_str("Infinity")
        } else {
            s.serialize_str("-Infinity")
        }
    }
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

struct FloatVisitor;

impl<'de> de::Visitor<'de> for FloatVisitor {
    type Value = Float;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Float, E> {
        Ok(Float(x))
    }

    fn visit_i64<E: de::Error>(self, x: i64) -> Result<Float, E> {
        Ok(Float(x as f64))
    }

    fn visit_u64<E: de::Error>(self, x: u64) -> Result<Float, E> {
        Ok(Float(x as f64))
    }

    fn visit_str<E: de::Error>(self, t: &str) -> Result<Float, E> {
        match t {
            "NaN" => Ok(Float(f64::NAN)),
            "Infinity" => Ok(Float(f64::INFINITY)),
            "-Infinity" => Ok(Float(f64::NEG_INFINITY)),
            _ => Err(E::custom(format!("expected a number, got '{t}'"))),
        }
    }

    /// serde_json's arbitrary-precision numbers (on in the tests) arrive as a one-key map of
    /// their text; Rust's parse of that text is correctly rounded.
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Float, A::Error> {
        let text = match map.next_entry::<String, String>()? {
            Some((key, text)) if key == crate::api::BIG_NUMBER_TOKEN => text,
            _ => return Err(de::Error::custom("expected a number")),
        };
        text.parse()
            .map(Float)
            .map_err(|_| de::Error::custom(format!("expected a number, got '{text}'")))
    }
}

/// `#[serde(with = "crate::state_json::float")]` on an `f64`.
pub(crate) mod float {
    use super::*;

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        Float(*x).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Float::deserialize(d)?.0)
    }
}

/// On a `VecDeque<f64>` or a `Vec<f64>`.
pub(crate) mod floats {
    use super::*;

    pub fn serialize<S: Serializer, C>(xs: &C, s: S) -> Result<S::Ok, S::Error>
    where
        for<'a> &'a C: IntoIterator<Item = &'a f64>,
    {
        s.collect_seq(xs.into_iter().map(|&x| Float(x)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, C: FromIterator<f64>>(
        d: D,
    ) -> Result<C, D::Error> {
        Ok(Vec::<Float>::deserialize(d)?
            .into_iter()
            .map(|f| f.0)
            .collect())
    }
}

/// On a `VecDeque<(usize, f64)>` (a rolling extreme's candidates).
pub(crate) mod indexed {
    use super::*;

    pub fn serialize<S: Serializer>(xs: &VecDeque<(usize, f64)>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(xs.iter().map(|&(i, x)| (i, Float(x))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<VecDeque<(usize, f64)>, D::Error> {
        Ok(Vec::<(usize, Float)>::deserialize(d)?
            .into_iter()
            .map(|(i, f)| (i, f.0))
            .collect())
    }
}

/// On an `(f64, f64)` (a position's stop levels).
pub(crate) mod pair {
    use super::*;

    pub fn serialize<S: Serializer>(x: &(f64, f64), s: S) -> Result<S::Ok, S::Error> {
        (Float(x.0), Float(x.1)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(f64, f64), D::Error> {
        let (a, b) = <(Float, Float)>::deserialize(d)?;
        Ok((a.0, b.0))
    }
}

/// On an `Option<Vec<f64>>` (none is `null`).
pub(crate) mod optional_floats {
    use super::*;

    pub fn serialize<S: Serializer>(xs: &Option<Vec<f64>>, s: S) -> Result<S::Ok, S::Error> {
        xs.as_ref()
            .map(|v| v.iter().map(|&x| Float(x)).collect::<Vec<_>>())
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
        Ok(Option::<Vec<Float>>::deserialize(d)?.map(|v| v.into_iter().map(|f| f.0).collect()))
    }
}
