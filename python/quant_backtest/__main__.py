"""``python -m quant_backtest``: the command line (see ``quant_backtest.cli``)."""

import sys

from .cli import main

sys.exit(main())
