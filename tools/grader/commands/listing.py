"""`workbook list`: the phases, and how the last `grade` went for each."""

import json

from .. import phases


def register(subparsers):
    p = subparsers.add_parser("list", help="list the phases and the last grade's status")
    p.set_defaults(func=run)


def last_grade(path):
    """({phase number: summary}, header) from a previous results.json, or ({}, "")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        workbook = data["extra_data"]["workbook"]
        by_phase = {p["phase"]: p for p in workbook["phases"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}, ""
    header = f"last grade: {workbook.get('track')} track, {workbook.get('preset')} preset, {workbook.get('graded_at', '')}"
    return by_phase, header


def status(summary):
    if summary is None:
        return "not graded yet"
    text = f"{summary['passed']}/{summary['total']} passed"
    if not summary.get("compiled", True):
        text += " (does not compile)"
    if summary.get("flaky"):
        text += f", {len(summary['flaky'])} flaky"
    return text


def run(args, ctx):
    graded, header = last_grade(ctx.root / "build" / "grade" / "results.json")
    all_phases = phases.discover(ctx.root)
    if not all_phases:
        ctx.term.print("no phases yet (no phases/NN-slug folders)")
        return 0
    width = max(len(p.title) for p in all_phases)
    for phase in all_phases:
        summary = graded.get(phase.number)
        text = status(summary)
        if summary is not None:
            done = summary["total"] and summary["passed"] == summary["total"]
            text = (ctx.term.green if done else ctx.term.yellow)(text)
        ctx.term.print(f"  {phase.number}  {phase.title.ljust(width)}  {text}")
    if header:
        ctx.term.print(ctx.term.dim(header))
    return 0
