"""``plot()`` on results: the picture of a result (quant_backtest.report), and what it needs
to know besides the result: the bars and the strategy it ran on, kept by the engine call."""

from __future__ import annotations

from typing import Any, Optional


class Plottable:
    """A result with ``plot()``. The engine keeps the data and the strategy a result ran on in
    its ``__dict__`` (not fields: equality, repr and the dataclass's fields ignore them)."""

    def plot(self, data: Any = None, strategy: Any = None, title: Optional[str] = None) -> Any:
        """The result's :class:`quant_backtest.report.Plot`: drawn inline by Jupyter and
        JupyterLite, ``.save(path)`` writes a standalone HTML report. ``data`` and
        ``strategy`` default to those the engine ran it on."""
        from .report import plot

        return plot(self, data, strategy, title)


def remember(result: Any, data: Any, strategy: Any = None) -> Any:
    """Keeps the data (and the strategy's wire value) a result ran on, for ``plot()``."""
    result.__dict__["_source"] = data
    if strategy is not None:
        result.__dict__["_strategy"] = strategy
    return result
