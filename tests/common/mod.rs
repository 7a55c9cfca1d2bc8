//! What the golden-file tests share: reading a file of tests/golden/, a JSON value as a door
//! hands it to the core, and a case's bars.
#![allow(dead_code)] // each test file uses its part

use quant_backtest::api::Value as Wire;
use quant_backtest::portfolio::{in_asset, Universe};
use quant_backtest::MarketData;
use serde_json::Value;

/// A golden file's cases.
pub fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

/// A JSON value as a door hands it to the core (key order and integer sizes kept).
pub fn wire(v: &Value) -> Wire {
    serde_json::from_value(v.clone()).unwrap()
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// A case's `data` (symbol, dates and the five columns) as checked bars.
pub fn market_data(case: &Value) -> MarketData {
    let d = &case["data"];
    let dates = d["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    let column = |k: &str| floats(&d[k]);
    MarketData::new(
        d["symbol"].as_str().unwrap(),
        dates,
        column("open"),
        column("high"),
        column("low"),
        column("close"),
        column("volume"),
    )
    .unwrap()
}

/// The universe of a case: each asset built and checked, a refusal naming its symbol.
pub fn universe(case: &Value) -> quant_backtest::Result<Universe> {
    Universe::from_assets(case["universe"].as_array().unwrap().iter().map(|a| {
        let symbol = a["symbol"].as_str().unwrap();
        let dates = a["dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        let c = |k: &str| floats(&a[k]);
        MarketData::new(
            symbol,
            dates,
            c("open"),
            c("high"),
            c("low"),
            c("close"),
            c("volume"),
        )
        .map_err(|e| in_asset(symbol, e))
    }))
}
