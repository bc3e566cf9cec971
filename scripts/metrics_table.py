"""Print the metric table of the docs, derived from the registry (``lossatlas.analysis.REGISTRY``).

python scripts/metrics_table.py > metrics.md
"""

from __future__ import annotations

from lossatlas.analysis import metrics_markdown

if __name__ == "__main__":
    print(metrics_markdown())
