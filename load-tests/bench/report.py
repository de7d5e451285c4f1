"""The benchmark's report (scripts/bench.sh, docs/benchmark.md): python report.py OUT_DIR.

Reads OUT_DIR/raw.csv (one measurement per line: phase,target,metric,repetition,value) and OUT_DIR/meta.env,
refuses the run when a load generator was its own bottleneck, and otherwise writes OUT_DIR/results.csv
(min/median/max per figure), OUT_DIR/report.md and the charts OUT_DIR/*.png, and prints the table.
"""

import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

# The ECS task's memory (infra-ecs var.memory) and the share of it the service may use at peak, so a
# burst of garbage or a heap dump does not end in an OOM kill.
TASK_MIB = 512
HEADROOM = 0.20
TARGETS = ("service", "peer", "ceiling")
COLOURS = {"service": "#1f77b4", "service-plain": "#aec7e8", "service-aot": "#1f77b4",
           "peer": "#2ca02c", "ceiling": "#7f7f7f"}


def load(out):
    values = defaultdict(list)
    with open(out / "raw.csv", newline="") as raw:
        for phase, target, metric, _rep, value in csv.reader(raw):
            values[(phase, target, metric)].append(float(value))
    meta = {}
    for line in (out / "meta.env").read_text().splitlines():
        key, _, value = line.partition("=")
        meta[key] = value
    return values, meta


class Figures:
    def __init__(self, values):
        self.values = values

    def runs(self, phase, target, metric):
        return self.values.get((phase, target, metric), [])

    def median(self, phase, target, metric):
        runs = self.runs(phase, target, metric)
        return statistics.median(runs) if runs else None

    def spread(self, phase, target, metric, unit="", digits=0, scale=1.0):
        """median [min–max] as text; the median alone for a single run."""
        runs = [v * scale for v in self.runs(phase, target, metric)]
        if not runs:
            return "–"
        fmt = f"{{:,.{digits}f}}"
        med = fmt.format(statistics.median(runs)).replace(",", " ")
        if len(runs) == 1:
            return f"{med}{unit}"
        low, high = (fmt.format(v).replace(",", " ") for v in (min(runs), max(runs)))
        return f"{med}{unit} [{low}–{high}]"


def refusals(values, limit):
    """Runs whose generator used more than `limit` of its core, or fell behind its arrival rate."""
    problems = []
    for (phase, target, metric), runs in sorted(values.items()):
        if metric == "generator_cpu":
            problems += [f"{phase} {target}: generator used {v:.0%} of its core (limit {limit:.0%})"
                         for v in runs if v > limit]
        if metric == "open_achieved":
            asked = values[(phase, target, "open_rate")]
            problems += [f"{phase} {target}: vegeta sent {got:.0f}/s of the {want:.0f}/s asked"
                         for got, want in zip(runs, asked) if got < 0.97 * want]
    return problems


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def verdict(ok):
    return "met" if ok else "**not met**"


def build_rows(f):
    """(figure, service, peer, ceiling, ratios, goal) rows of the table."""
    rows = []
    rps = {t: f.median("root", t, "rps") for t in TARGETS}
    rows.append(("GET / requests/s at saturation (closed)",
                 f.spread("root", "service", "rps"), f.spread("root", "peer", "rps"),
                 f.spread("root", "ceiling", "rps"),
                 f"{ratio(rps['service'], rps['peer'])} peer, {ratio(rps['service'], rps['ceiling'])} ceiling",
                 "≥ 3× peer: " + verdict(rps["service"] and rps["peer"] and rps["service"] >= 3 * rps["peer"])
                 + "; ≥ 0.70× ceiling: "
                 + verdict(rps["service"] and rps["ceiling"] and rps["service"] >= 0.7 * rps["ceiling"])))
    rows.append(("GET / server CPU at saturation (share of its core)",
                 f.spread("root", "service", "server_cpu", digits=2), f.spread("root", "peer", "server_cpu", digits=2),
                 f.spread("root", "ceiling", "server_cpu", digits=2), "", ""))
    rows.append(("GET / CPU per request (µs)",
                 f.spread("root", "service", "cpu_us_per_request", digits=1),
                 f.spread("root", "peer", "cpu_us_per_request", digits=1),
                 f.spread("root", "ceiling", "cpu_us_per_request", digits=1), "", ""))
    p99 = {t: f.median("root-peer-rate", t, "p99_ms") for t in TARGETS}
    goal = {"root-peer-rate": (f"{ratio(p99['service'], p99['peer'])} peer",
                               "p99 lower than peer: " + verdict(p99["service"] is not None and p99["peer"] is not None
                                                                 and p99["service"] < p99["peer"]))}
    for phase, target in (("root-peer-rate", "peer"), ("root-service-rate", "service")):
        rate = f.median(phase, "service", "open_rate") or 0
        half = (rps[target] or 0) / 2
        # bench.sh lowers a rate the generator cannot send (MAX_OPEN_RATE): say which rate this is.
        which = (f"= ½ the {target}'s saturation" if rate >= half - 1
                 else f"(the generator's limit; ½ the {target}'s saturation is {half:.0f}/s)")
        for metric, label in (("p50_ms", "p50"), ("p99_ms", "p99")):
            rows.append((f"GET / {label} ms, open, {rate:.0f}/s {which}",
                         *(f.spread(phase, t, metric, digits=2) for t in TARGETS),
                         *(goal.get(phase, ("", "")) if metric == "p99_ms" else ("", ""))))
    ready = {t: f.median("startup", t, "ready_ms") for t in ("service-plain", "service-aot", "peer", "ceiling")}
    rows.append(("start to first ready 200, ms: plain JVM",
                 f.spread("startup", "service-plain", "ready_ms"), f.spread("startup", "peer", "ready_ms"),
                 f.spread("startup", "ceiling", "ready_ms"), f"{ratio(ready['service-plain'], ready['peer'])} peer", ""))
    rows.append(("start to first ready 200, ms: JDK 25 AOT cache",
                 f.spread("startup", "service-aot", "ready_ms"), "", "",
                 f"{ratio(ready['service-aot'], ready['peer'])} peer",
                 "< 1000 ms: " + verdict(ready["service-aot"] is not None and ready["service-aot"] < 1000)
                 + " (stretch < 600 ms: " + verdict(ready["service-aot"] is not None and ready["service-aot"] < 600) + ")"))
    rows.append(("resident memory idle, MiB (service: AOT start)",
                 f.spread("memory", "service-aot", "rss_idle_mib"), f.spread("memory", "peer", "rss_idle_mib"),
                 f.spread("memory", "ceiling", "rss_idle_mib"), "", ""))
    peak = max([v for t in ("service", "service-users") for v in f.runs("memory", t, "rss_load_mib")] or [0])
    budget = TASK_MIB * (1 - HEADROOM)
    rows.append(("resident memory peak under load, MiB",
                 f"{peak:.0f}" if peak else "–", f.spread("memory", "peer", "rss_load_mib"),
                 f.spread("memory", "ceiling", "rss_load_mib"), f"{peak / TASK_MIB:.0%} of {TASK_MIB} MiB" if peak else "",
                 f"≤ {budget:.0f} MiB ({HEADROOM:.0%} headroom in the ECS task): " + verdict(0 < peak <= budget)))
    get_rps = f.median("users-get", "service", "rps")
    get_p99 = f.median("users-get-half", "service", "p99_ms")
    rows.append(("GET /users/{id} requests/s at saturation", f.spread("users-get", "service", "rps"), "", "", "",
                 "≥ 10 000: " + verdict(get_rps is not None and get_rps >= 10000)))
    rows.append(("GET /users/{id} p50 / p99 ms, open, ½ saturation",
                 f.spread("users-get-half", "service", "p50_ms", digits=2) + " / "
                 + f.spread("users-get-half", "service", "p99_ms", digits=2), "", "", "",
                 "p99 < 20 ms: " + verdict(get_p99 is not None and get_p99 < 20)))
    rows.append(("GET /users/{id} CPU µs per request: service / DDB Local",
                 f.spread("users-get", "service", "cpu_us_per_request") + " / "
                 + f.spread("users-get", "service", "dynamodb_cpu_us_per_request"), "", "", "", ""))
    rows.append(("POST /users requests/s at saturation", f.spread("users-post", "service", "rps"), "", "", "", ""))
    rows.append(("POST /users p50 / p99 ms, open, ½ saturation",
                 f.spread("users-post-half", "service", "p50_ms", digits=2) + " / "
                 + f.spread("users-post-half", "service", "p99_ms", digits=2), "", "", "", ""))
    rows.append(("POST /users CPU µs per request: service / DDB Local",
                 f.spread("users-post", "service", "cpu_us_per_request") + " / "
                 + f.spread("users-post", "service", "dynamodb_cpu_us_per_request"), "", "", "", ""))
    verify_cpu = f.median("verify", "service", "cpu_us_per_request")
    rows.append(("password verify: CPU ms per request (Argon2id, configured cost)",
                 f.spread("verify", "service", "cpu_us_per_request", digits=1, scale=1e-3), "", "", "", ""))
    rows.append(("password verify: requests/s on one core",
                 f.spread("verify", "service", "rps") + (f"; 1 core / CPU per request = {1e6 / verify_cpu:.0f}"
                                                         if verify_cpu else ""), "", "", "", ""))
    generator = max([v for (_p, _t, m), runs in f.values.items() if m == "generator_cpu" for v in runs] or [0])
    rows.append(("load generator's CPU, highest run (share of its core)", f"{generator:.2f}", "", "", "", ""))
    return rows


def charts(f, out):
    written = []

    def bars(name, title, ylabel, series):
        labels = [label for label, _ in series]
        medians = [statistics.median(runs) for _, runs in series]
        low = [m - min(runs) for m, (_, runs) in zip(medians, series)]
        high = [max(runs) - m for m, (_, runs) in zip(medians, series)]
        fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
        ax.bar(labels, medians, yerr=[low, high], capsize=4,
               color=[COLOURS.get(label.split(" ")[0], "#1f77b4") for label in labels])
        for x, value in enumerate(medians):
            ax.annotate(f"{value:,.0f}" if value >= 100 else f"{value:.2f}", (x, value), ha="center",
                        va="bottom", xytext=(0, 3), textcoords="offset points")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.margins(y=0.15)
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
        written.append(name)

    def present(series):
        return [(label, runs) for label, runs in series if runs]

    series = present([(t, f.runs("root", t, "rps")) for t in TARGETS])
    if series:
        bars("throughput.png", "GET / at saturation (median, min–max)", "requests/s", series)
    series = present([(t, f.runs("root-peer-rate", t, "p99_ms")) for t in TARGETS])
    if series:
        rate = f.median("root-peer-rate", "peer", "open_rate") or 0
        bars("latency.png", f"GET / p99 at {rate:.0f} requests/s (open model)", "ms", series)
    series = present([(t, f.runs("startup", t, "ready_ms")) for t in ("service-plain", "service-aot", "peer", "ceiling")])
    if series:
        bars("startup.png", "Process start to first ready 200", "ms", series)
    series = present([(f"{t} idle", f.runs("memory", t, "rss_idle_mib")) for t in ("service-aot", "peer", "ceiling")]
                     + [("service load", f.runs("memory", "service-users", "rss_load_mib")
                         + f.runs("memory", "service", "rss_load_mib"))])
    if series:
        bars("memory.png", f"Resident memory (ECS task: {TASK_MIB} MiB)", "MiB", series)
    return written


def markdown_table(rows):
    head = ("figure", "users-info (service)", "Express 5 (peer)", "Go net/http (ceiling)", "ratio", "goal")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows):
    head = ("figure", "service", "peer", "ceiling", "ratio", "goal")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    widths[0] = min(widths[0], 64)
    out = []
    for row in [head, *rows]:
        out.append("  ".join(str(cell)[:widths[i]].ljust(widths[i]) if i == 0 else str(cell).ljust(widths[i])
                             for i, cell in enumerate(row)).rstrip())
    return "\n".join(out)


def main(out):
    values, meta = load(out)
    limit = float(meta.get("generator_limit", "0.9"))
    problems = refusals(values, limit)
    if problems:
        print("✘ not reported: the load generator was the bottleneck in these runs:", file=sys.stderr)
        for problem in problems:
            print(f"    {problem}", file=sys.stderr)
        print(f"  → the measurements are in {out / 'raw.csv'}; give the generator a faster core or lower "
              "CONNECTIONS, and rerun on a quiet machine", file=sys.stderr)
        return 1
    f = Figures(values)
    rows = build_rows(f)
    with open(out / "results.csv", "w", newline="") as results:
        writer = csv.writer(results)
        writer.writerow(("phase", "target", "metric", "runs", "min", "median", "max"))
        for (phase, target, metric), runs in sorted(values.items()):
            writer.writerow((phase, target, metric, len(runs), min(runs), statistics.median(runs), max(runs)))
    pngs = charts(f, out)
    machine = (f"{meta.get('cores')} cores ({meta.get('cpu')}), {meta.get('memory_gib')} GiB, kernel {meta.get('kernel')}; "
               f"{meta.get('jdk')}; Node.js {meta.get('node')} with Express {meta.get('express')}; Go {meta.get('go')}; "
               f"{meta.get('wrk')}; vegeta {meta.get('vegeta')}")
    settings = (f"servers on core {meta.get('server_cpu')}, generators on core {meta.get('load_cpu')}; "
                f"{meta.get('duration')} per run after a {meta.get('warmup')} warm-up, {meta.get('reps')} repetition(s), "
                f"{meta.get('starts')} start(s); wrk with {meta.get('connections')} connections; "
                f"the service's heap {meta.get('service_max_ram_percentage')} % of 512 MiB (-XX:MaxRAMPercentage); "
                f"load average {meta.get('load_start')} at start, {meta.get('load_end')} at the end; "
                f"measured in {meta.get('bench_seconds')} s")
    report = "\n".join([
        "# users-info benchmark",
        "",
        f"Started {meta.get('started')}. Machine: {machine}.",
        "",
        f"Settings: {settings}. Cells: median [min–max] over the repetitions.",
        "",
        markdown_table(rows),
        "",
        *[f"![{png}]({png})" for png in pngs],
        "",
        "How it is measured and what limits each figure: docs/benchmark.md.",
        "",
    ])
    (out / "report.md").write_text(report)
    print()
    print(f"Machine: {machine}")
    print(f"Settings: {settings}")
    print()
    print(text_table(rows))
    print()
    print(f"Written: {out / 'report.md'}, {out / 'results.csv'}, " + ", ".join(str(out / p) for p in pngs))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUT_DIR (the directory scripts/bench.sh writes raw.csv and meta.env to)")
    sys.exit(main(Path(sys.argv[1])))
