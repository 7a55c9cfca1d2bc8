//! A walk-forward over one asset's bars.

use std::ops::Range;

use super::{walk, WalkBars, WalkOptions, WalkRun, WindowResult, WindowWords};
use crate::data::MarketData;
use crate::error::Result;
use crate::execution::run::{run, Details, Effective};
use crate::execution::trade::RawTrade;
use crate::execution::ExecSettings;
use crate::pool::WorkerPool;
use crate::strategy::signals::Sweep;
use crate::strategy::tree::Bindings;
use crate::strategy::SeriesTable;
use crate::sweep::SweepPlan;

/// One asset's bars with every combination's indicators.
struct OneAsset<'a> {
    data: &'a MarketData,
    plan: &'a SweepPlan,
    table: &'a SeriesTable,
}

impl WalkBars for OneAsset<'_> {
    type Trade = RawTrade;
    /// The window's bars and its first bar's index.
    type Part = (MarketData, usize);

    fn len(&self) -> usize {
        self.data.len()
    }

    fn part(&self, range: Range<usize>) -> Self::Part {
        (self.data.slice(range.clone()), range.start)
    }

    fn run(
        &self,
        (bars, start): &Self::Part,
        i: usize,
        settings: &ExecSettings,
        returns: &mut Vec<f64>,
        keep: bool,
    ) -> WindowResult<RawTrade> {
        let (data, plan) = (self.data, self.plan);
        let values = plan.combination(i);
        let words = self
            .table
            .words(data, &plan.strategy, &Bindings::new(&plan.names, &values));
        let words = WindowWords::new(words, data.len(), *start);
        let mut signals = Effective::new(words, settings.direction, bars.len());
        let mut details = Details::default();
        let metrics = run(
            bars,
            &mut signals,
            settings,
            returns,
            keep.then_some(&mut details),
        );
        WindowResult {
            metrics,
            equity: details.equity,
            trades: details.trades,
            exposed_bars: details.exposed_bars,
        }
    }

    fn buy_and_hold(&self, first: usize, last: usize) -> f64 {
        let close = self.data.close();
        close[last] / close[first] - 1.0
    }
}

/// Runs every window of `options` over `data` with the sweep `plan` (its combinations, in
/// order, on each train window); `table` gets every combination's indicators.
pub fn walk_forward(
    data: &MarketData,
    plan: &SweepPlan,
    options: &WalkOptions,
    pool: &WorkerPool,
    table: &mut SeriesTable,
) -> Result<WalkRun<RawTrade>> {
    options.windows(data.len())?;
    let values_at = |i| plan.combination(i);
    let sweep = Sweep {
        strategy: &plan.strategy,
        names: &plan.names,
        count: plan.len(),
        values_at: &values_at,
    };
    table.fill_from(data, &sweep, pool);
    let bars = OneAsset { data, plan, table };
    walk(&bars, plan.len(), &plan.settings, options, pool)
}
