"""The benchmarks' Markdown reports, with their plots, in ``reports/`` (git-ignored).

A report holds the same tables the terminal shows, in the order they were measured, so a
run can be read and compared later; the plots show what two percentiles cannot: the shape
of each bot's latency, per kind of question, and over the run (bursts of machine load);
how latency and throughput change with concurrent conversations (``bench/load.py``); how
each process's memory moves during a soak run (``bench/soak.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.dialogues import Turn
from bench.retrieval import table

COLOURS = {"herbot": "#c2410c", "bare": "#2563eb"}
LABELS = {"herbot": "herbot", "bare": "bare rasa init"}


@dataclass
class Section:
    """One table of figures: printed as soon as it is measured, and kept for the report."""

    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def show(section: Section) -> None:
    """Print a section on the terminal as the report will hold it."""
    print(f"\n== {section.title} ==")
    print(table(section.header, section.rows))
    for note in section.notes:
        print(note)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells):
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), line(["---"] + ["---:"] * (len(header) - 1)), *map(line, rows)])


def write(folder: Path, title: str, preamble: list[str], sections: list[Section], turns: list[Turn] = (),
          retrieval_output: str | None = None, plots=None) -> Path:
    """Write ``report.md`` and its plots into ``folder``; return the report's path.

    ``turns`` get the speed benchmark's latency plots; ``plots(folder)`` draws any others and
    returns their (file name, caption) pairs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f"# {title}", "", *preamble, ""]
    for section in sections:
        parts += [f"## {section.title}", "", markdown_table(section.header, section.rows), ""]
        parts += [f"{note}  " for note in section.notes] + ([""] if section.notes else [])
    drawn = (plot(folder, turns) if turns else []) + (plots(folder) if plots else [])
    if drawn:
        parts += ["## Plots", ""]
        for name, caption in drawn:
            parts += [f"![{caption}]({name})", "", f"*{caption}*", ""]
    if retrieval_output:
        parts += ["## Retrieval alone (bench/retrieval.py, as printed)", "", "```", retrieval_output.rstrip(), "```"]
    report = folder / "report.md"
    report.write_text("\n".join(parts), encoding="utf-8")
    return report


def plot(folder: Path, turns: list[Turn]) -> list[tuple[str, str]]:
    """Three PNGs: distributions (histogram and ECDF), herbot per kind beside bare, latency over the run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    by_bot = {name: np.array([t.ms for t in turns if t.bot == name]) for name in LABELS}
    made = []

    figure, (histogram, ecdf) = plt.subplots(1, 2, figsize=(12, 4.5))
    edges = np.geomspace(max(min(v.min() for v in by_bot.values()), 1.0), max(v.max() for v in by_bot.values()), 60)
    for name, values in by_bot.items():
        histogram.hist(values, bins=edges, alpha=0.55, color=COLOURS[name], label=LABELS[name])
        ordered = np.sort(values)
        ecdf.step(ordered, np.arange(1, len(ordered) + 1) / len(ordered), where="post", color=COLOURS[name],
                  label=LABELS[name])
        for q, style in ((50, "--"), (95, ":")):
            ecdf.axvline(np.percentile(values, q), color=COLOURS[name], linestyle=style, linewidth=1)
    for axis in (histogram, ecdf):
        _log_scale(axis, "x")
        axis.set_xlabel("per-turn latency over REST (ms, log scale)")
        axis.legend()
    histogram.set_ylabel("turns")
    ecdf.set_ylabel("share of turns at or below")
    ecdf.set_title("ECDF (dashed: p50, dotted: p95)")
    histogram.set_title("distribution")
    made.append(_save(figure, folder, "latency-distribution.png", "Per-turn latency, herbot vs the bare rasa init bot"))

    kinds = sorted({t.kind for t in turns if t.bot == "herbot"})
    groups = [[t.ms for t in turns if t.bot == "herbot" and t.kind == kind] for kind in kinds]
    groups.append(list(by_bot["bare"]))
    figure, axis = plt.subplots(figsize=(10, 4.5))
    axis.boxplot(groups, labels=[f"herbot\n{kind}" for kind in kinds] + ["bare\nrasa init"], whis=(5, 95),
                 showfliers=False)
    _log_scale(axis, "y")
    axis.set_ylabel("ms (log scale)")
    axis.set_title("per kind of turn (box: quartiles, whiskers: p5-p95)")
    made.append(_save(figure, folder, "latency-by-kind.png", "Latency per kind of turn"))

    figure, axis = plt.subplots(figsize=(12, 4))
    for name, values in by_bot.items():
        axis.plot(np.arange(1, len(values) + 1), values, ".", markersize=3, color=COLOURS[name], label=LABELS[name])
    _log_scale(axis, "y")
    axis.set_xlabel("turn (the two bots alternate)")
    axis.set_ylabel("ms (log scale)")
    axis.legend()
    made.append(_save(figure, folder, "latency-over-run.png", "Latency over the run: load bursts hit both bots"))
    return made


def plot_load_curves(folder: Path, levels: list[tuple[int, float, float, float]], goal_ms: float
                     ) -> list[tuple[str, str]]:
    """Throughput and p50/p95 latency against concurrent conversations, from (concurrency, turns/s, p50, p95)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    concurrency = [level[0] for level in levels]
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    throughput.plot(concurrency, [level[1] for level in levels], "o-", color=COLOURS["herbot"])
    throughput.set_ylabel("turns answered per second")
    throughput.set_ylim(bottom=0)
    throughput.set_title("throughput")
    for column, label, style in ((2, "p50", "o-"), (3, "p95", "s--")):
        latency.plot(concurrency, [level[column] for level in levels], style, color=COLOURS["herbot"], label=label)
    latency.axhline(goal_ms, color="grey", linestyle=":", label=f"goal: p95 under {goal_ms:g} ms")
    _log_scale(latency, "y")
    latency.set_ylabel("per-turn latency over REST (ms, log scale)")
    latency.set_title("latency")
    latency.legend()
    for axis in (throughput, latency):
        axis.set_xscale("log")
        axis.set_xticks(concurrency, [str(c) for c in concurrency])
        axis.set_xlabel("concurrent conversations")
    return [_save(figure, folder, "load-curves.png", "Throughput and latency against concurrent conversations")]


def plot_memory(folder: Path, series: dict[str, list[tuple[float, float]]], warm_up_s: float
                ) -> list[tuple[str, str]]:
    """Resident memory of each process over a soak run, from (seconds since start, MB) per process."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(12, 4.5))
    for name, points in series.items():
        axis.plot([p[0] / 60 for p in points], [p[1] for p in points], ".-", markersize=3, label=name)
    axis.axvline(warm_up_s / 60, color="grey", linestyle=":", label="end of warm-up")
    axis.set_xlabel("minutes since the load started")
    axis.set_ylabel("resident memory (VmRSS, MB)")
    axis.set_ylim(bottom=0)
    axis.legend()
    return [_save(figure, folder, "soak-memory.png", "Resident memory of every process during the soak run")]


def _log_scale(axes, which: str) -> None:
    """A log axis labelled in plain milliseconds at 1, 2 and 5 of each decade (not just 10^2)."""
    from matplotlib import ticker

    getattr(axes, f"set_{which}scale")("log")
    axis = getattr(axes, f"{which}axis")
    axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def _save(figure, folder: Path, name: str, caption: str) -> tuple[str, str]:
    figure.tight_layout()
    figure.savefig(folder / name, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(figure)
    return name, caption
