//! Engine benchmarks: `cargo bench --features parallel` (figures go in closing notes, never
//! in tests). The grid is the issue's 50 x 50 sweep on 25,200 bars.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quant_backtest::{
    generate_sample_data, run_grid_metrics, run_sma_backtest, validate_grid, RawSettings,
    WorkerPool,
};
use std::hint::black_box;

fn single(c: &mut Criterion) {
    let data = generate_sample_data("BENCH", 1_000, 100.0, 42).unwrap();
    let settings = RawSettings::default();
    c.bench_function("backtest_1000_bars_sma_10_30", |b| {
        b.iter(|| run_sma_backtest(black_box(&data), 10, 30, &settings).unwrap())
    });
}

fn grid(c: &mut Criterion) {
    let data = generate_sample_data("BENCH", 25_200, 100.0, 42).unwrap();
    let fast: Vec<i128> = (2..52).collect();
    let slow: Vec<i128> = (52..249).step_by(4).collect();
    let plan = validate_grid(data.len(), &fast, &slow, &RawSettings::default(), None).unwrap();
    let mut group = c.benchmark_group("grid_50x50_25200_bars");
    group.sample_size(10);
    group.throughput(Throughput::Elements((plan.pairs.len() * data.len()) as u64));
    for workers in [1usize, 2] {
        let pool = WorkerPool::new(Some(workers));
        group.bench_function(format!("{workers}_threads"), |b| {
            b.iter(|| run_grid_metrics(black_box(&data), &plan, &pool))
        });
    }
    group.finish();
}

/// The issue's portfolio: 100 assets x 2,520 bars, an SMA crossover, shared cash in 10 slots.
fn portfolio(c: &mut Criterion) {
    use quant_backtest::api::{run_portfolio, PreparedPortfolio, Value};
    use quant_backtest::portfolio::sample::{generate_sample_universe, sample_symbols};
    let universe = generate_sample_universe(&sample_symbols(100).unwrap(), 2_520, 42).unwrap();
    let sma = |p: i128| {
        Value::Map(vec![
            ("indicator".into(), Value::Str("sma".into())),
            ("period".into(), Value::Int(p)),
        ])
    };
    let cross = |op: &str| Value::Map(vec![(op.into(), Value::List(vec![sma(10), sma(50)]))]);
    let strategy = Value::Map(vec![
        ("entry".into(), cross("crosses_above")),
        ("exit".into(), cross("crosses_below")),
    ]);
    let settings = Value::Map(vec![("max_positions".into(), Value::Int(10))]);
    let mut group = c.benchmark_group("portfolio_100x2520");
    group.sample_size(20);
    group.bench_function("run_portfolio", |b| {
        b.iter(|| run_portfolio(black_box(&universe), &strategy, &settings, &Value::Null).unwrap())
    });
    let prepared = PreparedPortfolio::new(&universe, &strategy, &settings, &Value::Null).unwrap();
    group.bench_function("prepared_run", |b| {
        b.iter(|| prepared.run(black_box(&universe)))
    });
    // benches/bench_portfolio.py's case (against vectorbt): a tenth of the cash, a 5% stop.
    let settings = Value::Map(vec![
        ("size".into(), Value::Float(0.1)),
        ("stop_loss".into(), Value::Float(0.05)),
        ("fill".into(), Value::Str("close".into())),
    ]);
    let prepared = PreparedPortfolio::new(&universe, &strategy, &settings, &Value::Null).unwrap();
    group.bench_function("tenth_of_cash_stop_5pc", |b| {
        b.iter(|| prepared.run_raw(black_box(&universe)))
    });
    group.finish();
}

/// One live bar: an SMA crossover 10/30 with a 5% stop, pushed bar after bar of 100,000 sample
/// bars (the run restarts when they run out), the equity curve not kept.
fn live(c: &mut Criterion) {
    use quant_backtest::api::{LiveBacktest, Value};
    let data = generate_sample_data("BENCH", 100_000, 100.0, 42).unwrap();
    let strategy: Value = serde_json::from_str(
        r#"{"entry": {"crosses_above": [{"indicator": "sma", "period": 10}, {"indicator": "sma", "period": 30}]},
            "exit": {"crosses_below": [{"indicator": "sma", "period": 10}, {"indicator": "sma", "period": 30}]}}"#,
    )
    .unwrap();
    let settings: Value = serde_json::from_str(r#"{"stop_loss": 0.05}"#).unwrap();
    let start = || LiveBacktest::new(&strategy, &settings, &Value::Null, None, false).unwrap();
    let (o, h, l, cl, v) = (
        data.open(),
        data.high(),
        data.low(),
        data.close(),
        data.volume(),
    );
    let mut run = start();
    let mut t = 0;
    c.bench_function("live_push_sma_10_30", |b| {
        b.iter(|| {
            if t == data.len() {
                (run, t) = (start(), 0);
            }
            let events = run
                .push(&data.dates()[t], [o[t], h[t], l[t], cl[t], v[t]])
                .unwrap()
                .len();
            t += 1;
            black_box(events)
        })
    });
}

criterion_group!(benches, single, grid, portfolio, live);
criterion_main!(benches);
