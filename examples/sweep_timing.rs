use quant_backtest::api::{self, Value};
use quant_backtest::pool::WorkerPool;
use quant_backtest::strategy::SeriesTable;
use quant_backtest::generate_sample_data;
use std::time::Instant;
fn main() {
    let data = generate_sample_data("S", 2520, 100.0, 42).unwrap();
    let sma = |p: &str| format!(r#"{{"indicator":"sma","period":{{"param":"{p}"}}}}"#);
    let tree = format!(r#"{{"entry":{{"crosses_above":[{},{}]}},"exit":{{"crosses_below":[{},{}]}},"constraint":{{"lt":[{{"param":"fast"}},{{"param":"slow"}}]}}}}"#, sma("fast"), sma("slow"), sma("fast"), sma("slow"));
    let strategy: Value = serde_json::from_str(&tree).unwrap();
    let fast: Vec<String> = (2..52).map(|x: i32| x.to_string()).collect();
    let slow: Vec<String> = (52..250).step_by(4).map(|x: i32| x.to_string()).collect();
    let params: Value = serde_json::from_str(&format!(r#"{{"fast":[{}],"slow":[{}]}}"#, fast.join(","), slow.join(","))).unwrap();
    let settings: Value = serde_json::from_str(r#"{"fill":"close","stop_loss":0.03}"#).unwrap();
    let pool = WorkerPool::serial();
    let mut best = f64::MAX;
    for _ in 0..40 {
        let t = Instant::now();
        let plan = api::plan(&strategy, &settings, &params, &Value::Null, None).unwrap();
        let out = api::run_sweep(&data, &plan, &pool, &mut SeriesTable::new());
        std::hint::black_box(out);
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("sweep 2500 x 2520 bars, stop_loss, 1 thread: {best:.1} ms");
}
