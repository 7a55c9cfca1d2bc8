// Indicators for the charts: the package's own `indicators` module (values in, Float64Array
// out, NaN during warm-up), computed by the engine's wasm build.
import { indicators } from 'quant-backtest';

export const { sma, ema, rsi, highest, lowest, bbands, macd } = indicators;
