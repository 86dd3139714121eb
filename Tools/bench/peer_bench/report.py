"""Formats a ``ComparisonRun``: an aligned text table, Markdown for the docs, or JSON."""

import dataclasses
import json

from .environment import ISA_FLAGS
from .litedetect import PRECISIONS
from .results import RATIO_PEERS, ComparisonRun, litedetect_key, series_key
from .runtimes import OPENVINO_DEFAULT, RUNTIMES_BY_KEY

MISSING = "n/a"

RATIO_NAMES = {"f32": "best", "bf16": "OV default"}
"""Short name of each LiteDetect precision's ratio peers in column headers (``RATIO_PEERS``)."""


def _label(runtime: str) -> str:
    for precision in PRECISIONS:
        if runtime == litedetect_key(precision):
            return f"LiteDetect {precision}"
    return RUNTIMES_BY_KEY[runtime].label


def _columns(run: ComparisonRun) -> list[tuple[str, str, int]]:
    """(header, runtime key, threads) of every latency column, runtime-major."""
    runtimes = run.runtimes + [litedetect_key(p) for p in run.litedetect_precisions]
    return [(f"{_label(runtime)} {threads}T", runtime, threads) for runtime in runtimes for threads in run.threads]


def _ratio_name(precision: str) -> str:
    return f"LD {precision} / {RATIO_NAMES[precision]}"


def _ratio_header(precision: str, threads: int) -> str:
    return f"{_ratio_name(precision)} {threads}T"


def _ratio_peer_names(precision: str) -> str:
    """``precision``'s ratio peer, or "the faster of" its peers."""
    peers = [_label(r) for r in RATIO_PEERS[precision]]
    return peers[0] if len(peers) == 1 else "the faster of " + ", ".join(peers)


def _openvino_default_precision(run: ComparisonRun) -> str | None:
    """What OpenVINO's default precision resolved to on this machine (per backbone if it differed)."""
    chosen = {r.backbone: r.precisions[OPENVINO_DEFAULT] for r in run.results if OPENVINO_DEFAULT in r.precisions}
    if not chosen:
        return None
    if len(set(chosen.values())) == 1:
        return next(iter(chosen.values()))
    return ", ".join(f"{backbone} {precision}" for backbone, precision in chosen.items())


def _bytes(count: object) -> str:
    if not isinstance(count, int) or count <= 0:
        return "?"
    return f"{count // 2**20} MiB" if count % 2**20 == 0 else f"{count // 2**10} KiB"


_KNOWN_CPU_FIELDS = ("model", "l1d_bytes", "l2_bytes", "l3_bytes", "bf16")


def _machine_lines(run: ComparisonRun) -> list[str]:
    """The CPU, its ISA, what LiteDetect chose on it, and what OpenVINO's default precision resolved to."""
    cpu = run.cpu
    flags = cpu.get("isa_flags")
    isa = (f"ISA flags (of {', '.join(ISA_FLAGS)}): {flags or 'none'}" if flags is not None
           else cpu.get("simd", "?"))  # runs saved before the flags were recorded
    lines = [f"CPU: {cpu.get('model_name', '?')}, {cpu.get('cpus', '?')} CPUs, "
             f"{cpu.get('threads_per_core', '?')} thread(s) per core; {isa}"]
    ours = f"LiteDetect kernels: {run.litedetect_kernels}"
    if run.litedetect_isa is not None:
        ours += f" (LITEDETECT_ISA={run.litedetect_isa})" if run.litedetect_isa else " (LITEDETECT_ISA unset)"
    seen = run.litedetect_cpu
    if seen:
        ours += (f"; `detect bench` saw {seen.get('model', '?')}, L1d {_bytes(seen.get('l1d_bytes'))}, "
                 f"L2 {_bytes(seen.get('l2_bytes'))}, L3 {_bytes(seen.get('l3_bytes'))}, "
                 f"bf16 {'yes' if seen.get('bf16') else 'no'}")
        # Whatever else the binary derived from the CPU (e.g. GEMM blocking), as it names it.
        ours += "".join(f", {key} {value}" for key, value in seen.items() if key not in _KNOWN_CPU_FIELDS)
    lines.append(ours)
    chosen = _openvino_default_precision(run)
    if chosen is not None:
        lines.append(f"OpenVINO's default precision resolved to: {chosen}")
    return lines


def _ms(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return MISSING if value is None else f"{value:.2f}×"


def _rows(run: ComparisonRun) -> tuple[list[str], list[list[str]]]:
    columns = _columns(run)
    header = ["backbone", "MMACs"] + [c[0] for c in columns]
    header += [_ratio_header(p, t) for p in run.litedetect_precisions for t in run.threads]
    header.append("others' CPU")
    rows = []
    for result in run.results:
        row = [result.backbone, f"{result.macs / 1e6:.0f}"]
        row += [_ms(result.latency_ms(series_key(runtime, threads))) for _, runtime, threads in columns]
        row += [_ratio(result.litedetect_ratio(threads, precision))
                for precision in run.litedetect_precisions for threads in run.threads]
        share = result.worst_other_cpu_share()
        row.append(MISSING if share is None else f"{share:.0%}")
        rows.append(row)
    return header, rows


def render_table(run: ComparisonRun) -> str:
    """The machine, then plain aligned columns for a terminal (median ms; ratios as in the Markdown)."""
    header, rows = _rows(run)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = _machine_lines(run) + [""]
    lines += ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths)))
              for r in [header] + rows]
    notes = _not_measured_notes(run)
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(r) + " |" for r in [header, align] + rows]


def _not_measured_notes(run: ComparisonRun) -> list[str]:
    notes = [f"- {_label(runtime)}: not run ({reason})" for runtime, reason in run.unavailable.items()]
    seen: dict[str, list[str]] = {}
    for result in run.results:
        for key, reason in result.not_measured.items():
            runtime, threads = key.split("/")
            if runtime in run.unavailable:
                continue
            seen.setdefault(f"{_label(runtime)} {threads}T: {reason}", []).append(result.backbone)
    for text, backbones in seen.items():
        where = "all backbones" if len(backbones) == len(run.results) else ", ".join(backbones)
        notes.append(f"- {text} ({where})")
    return notes


def _difference_rows(run: ComparisonRun) -> tuple[list[str], list[list[str]]]:
    keys = ["pytorch-float64"] + [r for r in run.runtimes if r != "pytorch"]
    header = ["backbone"] + ["PyTorch f32 vs f64" if k == "pytorch-float64" else _label(k) for k in keys]
    rows = []
    for result in run.results:
        row = [result.backbone]
        for key in keys:
            value, precision = result.max_relative_difference.get(key), result.precisions.get(key, "f32")
            row.append(MISSING if value is None else f"{value:.1e}" + ("" if precision == "f32" else f" ({precision})"))
        rows.append(row)
    return header, rows


def _best_round_rows(run: ComparisonRun) -> tuple[list[str], list[list[str]]]:
    header = ["backbone"]
    for threads in run.threads:
        for precision in run.litedetect_precisions:
            peers = RATIO_PEERS[precision]
            header += [("best of " + "/".join(_label(r) for r in peers) if len(peers) > 1 else _label(peers[0]))
                       + f" {threads}T", f"{_label(litedetect_key(precision))} {threads}T",
                       _ratio_header(precision, threads)]
    rows = []
    for result in run.results:
        row = [result.backbone]
        for threads in run.threads:
            for precision in run.litedetect_precisions:
                peer = result.best_round_peer(threads, precision)
                row += [MISSING if peer is None else f"{peer[1]:.1f} ({_label(peer[0])})",
                        _ms(result.best_round_ms(series_key(litedetect_key(precision), threads))),
                        _ratio(result.litedetect_best_round_ratio(threads, precision))]
        rows.append(row)
    return header, rows


def _largest_spread(run: ComparisonRun) -> tuple[float, str] | None:
    spreads = [(result.round_spread(key), f"{result.backbone} {key}")
               for result in run.results for key in result.round_medians]
    spreads = [(s, where) for s, where in spreads if s is not None]
    return max(spreads) if spreads else None


def render_markdown(run: ComparisonRun) -> str:
    """A self-contained section for ``docs/PEERS.md``: setup, commands, results, same-network check."""
    ratios = "; ".join(
        f"`{_ratio_name(p)}` = LiteDetect {p} ÷ {_ratio_peer_names(p)}"
        for p in run.litedetect_precisions)
    reduced = (f" except {_label(OPENVINO_DEFAULT)}, which computes in what it chose"
               if OPENVINO_DEFAULT in run.runtimes else "")
    allowed = ", ".join(f"{value:g} for {precision}" for precision, value in run.max_relative_difference_allowed.items())
    lines = [
        f"Measured {run.date} in {run.duration_s / 60:.1f} min.",
        "",
    ]
    lines += [f"- {line}." for line in _machine_lines(run)]
    lines += [
        f"- Load (`uptime`) before: `{run.load_before}`",
        f"- Load (`uptime`) after: `{run.load_after}`",
        f"- LiteDetect: binary `{run.litedetect_binary}` (sha256 `{run.litedetect_binary_sha256[:16]}…`, "
        f"built {run.litedetect_binary_built}), precision(s): {', '.join(run.litedetect_precisions)}; "
        f"repository HEAD at measurement: {run.source_revision}.",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in run.versions.items()) + ".",
        f"- Protocol: per backbone, {run.rounds} round(s); each round times every peer "
        f"({', '.join(_label(r) for r in run.runtimes)}), then LiteDetect, each with {run.warmup} warm-up "
        f"and {run.runs} timed forward passes; a cell is the median of the per-round medians (ms).",
        "",
        "Command:",
        "",
        "```sh",
        run.command,
        "```",
        "",
        "LiteDetect's side of each round, e.g.:",
        "",
        "```sh",
        run.litedetect_bench_example,
        "```",
        "",
        f"Median forward-pass latency in ms (1×3×320×320, float32 input, batch 1; every peer computes in "
        f"float32{reduced}); {ratios}, at the "
        f"same thread count, per round, median over rounds (> 1: LiteDetect slower). "
        f"`others' CPU` = the largest share of the machine's CPU that other processes used during one kept "
        f"round of that backbone (rounds above {run.max_other_cpu:.0%} were re-run while retries lasted).",
        "",
    ]
    header, rows = _rows(run)
    lines += _markdown_table(header, rows)
    notes = _not_measured_notes(run)
    if notes:
        lines += ["", "Not measured:", ""] + notes
    discarded = [f"{r.backbone} {r.discarded_rounds}" for r in run.results if r.discarded_rounds]
    if discarded:
        lines += ["", "Rounds dropped and re-run because other processes were busy: " + ", ".join(discarded) + "."]
    spread = _largest_spread(run)
    if spread:
        lines += ["", f"Largest round-to-round spread ((max − min) / median of the per-round medians): "
                      f"{spread[0]:.0%} ({spread[1]})."]
    if any(t > 1 for t in run.threads):
        lines += ["", "Best rounds (the fastest per-round median of each series; interference only adds time, "
                      "so this is each side's least disturbed speed; if every round of a backbone was disturbed, "
                      "it is still slow, e.g. when 2T is no faster than 1T):", ""]
        lines += _markdown_table(*_best_round_rows(run))
    mac_mismatches = [r for r in run.results
                      if r.litedetect_macs is not None and abs(r.litedetect_macs - r.macs) > 0.005 * r.macs]
    lines += ["", "MMACs are counted in PyTorch (conv and linear layers, forward hooks); "
              + ("`detect bench` reports the same count for every backbone."
                 if not mac_mismatches else
                 "`detect bench` differs for: " + ", ".join(
                     f"{r.backbone} ({r.litedetect_macs / 1e6:.0f})" for r in mac_mismatches) + ".")]
    header, rows = _difference_rows(run)
    lines += ["", "Same network: `max |runtime − PyTorch| / max |PyTorch|` over both raw outputs, "
                  "on the input that is timed (first column: PyTorch float32 against float64, the rounding floor; "
                  "a precision in brackets: what the runtime computed in, if not float32). A runtime above "
                  f"{allowed} was not timed:",
              ""] + _markdown_table(header, rows)
    return "\n".join(lines) + "\n"


def render_json(run: ComparisonRun) -> str:
    """Everything, including each series' per-round medians."""
    return json.dumps(dataclasses.asdict(run), indent=1) + "\n"
