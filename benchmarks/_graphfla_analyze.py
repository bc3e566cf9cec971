"""GraphFLA's side of ``bench_analysis.py --whole-process``: read the table, build the landscape
graph and compute FDC, neutrality, autocorrelation and the local optima (as one process).

    python benchmarks/_graphfla_analyze.py TABLE.parquet
"""

from __future__ import annotations

import sys

import pandas as pd
from graphfla.analysis import autocorrelation, fdc, local_optima_ratio, neutrality
from graphfla.landscape import OrdinalLandscape


def main(path: str) -> None:
    frame = pd.read_parquet(path)
    hps = [c for c in frame.columns if c.startswith("x")]
    land = OrdinalLandscape(maximize=False)
    land.build_from_data(frame[hps], frame["test"], verbose=False)
    out = {
        "fdc": fdc(land),
        "neutrality": neutrality(land),
        "autocorrelation": autocorrelation(land, seed=0),
        "local_optima_ratio": local_optima_ratio(land),
    }
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
