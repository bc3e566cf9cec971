"""Generate ``docs/metrics.md``, the metric reference, from the code.

Every profile key comes from :func:`lossatlas.analysis.list_metrics` (the metric registry) with
its reading (and family, parameters, cost and reference when the registry carries them); the
parameters and references come from :func:`lossatlas.analysis.profile`'s docstring.

    python docs/make_metrics.py           # rewrite docs/metrics.md
    python docs/make_metrics.py --check   # exit 1 when docs/metrics.md is stale
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TARGET = Path(__file__).with_name("metrics.md")
_FIELDS = ("family", "reading", "parameters", "cost", "reference", "note")


def _fields(name: str, entry: Any) -> dict[str, str]:
    """The registry entry of one metric as text fields (a reading string, mapping or record)."""
    if isinstance(entry, str):
        return {"reading": entry}
    if isinstance(entry, Mapping):
        items = dict(entry)
    else:
        items = {f: getattr(entry, f) for f in _FIELDS if hasattr(entry, f)}
    out = {}
    for key, value in items.items():
        if key == "name":
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        out[key] = str(value)
    return out


def _section(doc: str, title: str) -> str:
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = lines.index(title) + 2
    except ValueError:
        return ""
    end = next(
        (
            i
            for i in range(start, len(lines) - 1)
            if lines[i + 1].strip() and set(lines[i + 1].strip()) == {"-"}
        ),
        len(lines),
    )
    return "\n".join(lines[start:end]).strip()


def render() -> str:
    from lossatlas.analysis import list_metrics, profile

    registry = list_metrics()
    if hasattr(registry, "to_dict") and hasattr(registry, "columns"):  # a registry table
        rows = [(str(r["name"]), _fields(str(r["name"]), r)) for r in registry.to_dict("records")]
    else:
        rows = [(name, _fields(name, entry)) for name, entry in registry.items()]
    columns = [f for f in _FIELDS if any(f in fields for _, fields in rows)]
    head = "| key | " + " | ".join(columns) + " |"
    rule = "|" + "---|" * (len(columns) + 1)
    body = [
        f"| `{name}` | " + " | ".join(fields.get(c, "").replace("|", "\\|") for c in columns) + " |"
        for name, fields in rows
    ]
    doc = profile.__doc__ or ""
    parameters = _section(doc, "Parameters")
    references = _section(doc, "References")
    return "\n".join(
        [
            "# Metric reference",
            "",
            "Generated from the code by `python docs/make_metrics.py` (do not edit by hand):",
            "every key of `lossatlas.analysis.profile()` and of `lossatlas analyze`'s table, from",
            "the metric registry `lossatlas.analysis.list_metrics()`.",
            "",
            f"{len(rows)} metrics.",
            "",
            head,
            rule,
            *body,
            "",
            "## Parameters of the profile",
            "",
            "```text",
            parameters,
            "```",
            "",
            "Choosing `epsilon`: see [the user guide](guide.md#choosing-epsilon).",
            "",
            "## References",
            "",
            "```text",
            references,
            "```",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when metrics.md is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python docs/make_metrics.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
