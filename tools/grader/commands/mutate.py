"""`workbook mutate`: plant canonical concurrency bugs in a phase's reference, one at a time.

For instructors after adding a test, and maintainers after changing a
reference: every mutant the tests let through is either a test gap or an
equivalent mutant to list in mutants/NN-topic/equivalent.txt with its reason.
Each mutant is built (default preset; the ordering relaxations under tsan,
which sees what they break) and the phase's tests run against it in chaos
mode; it is caught when any test fails. Builds go to build/mutate-<preset>,
apart from the everyday ones. A phase takes minutes: one build per mutant.
"""

import json
import shutil

from .. import chaos, cmake, mutate, phases
from ..context import InfraError, require, run
from . import options

EXIT_SURVIVORS = 1


def register(subparsers):
    p = subparsers.add_parser("mutate", help="plant canonical concurrency bugs in a reference and score the tests")
    options.add_phase(p)
    p.add_argument("--only", default="", metavar="TEXT",
                   help="only the mutants whose id contains TEXT (an operator, a file, an id)")
    p.add_argument("--list", action="store_true", help="list the mutants and exit, building nothing")
    options.add_chaos(p)
    p.set_defaults(func=run_command)


def _configure(ctx, preset, patches_dir):
    build_dir = ctx.root / "build" / f"mutate-{preset}"
    proc = run(ctx, ["cmake", "--preset", preset, "-B", build_dir, "-DWORKBOOK_MUTANTS=ON",
                     f"-DWORKBOOK_MUTANTS_DIR={patches_dir}"])
    if proc.returncode != 0:
        raise InfraError(f"configuring {ctx.rel(build_dir)} failed:\n{proc.stdout[-3000:]}")
    return build_dir


# TSan can stay blind to a race for a whole process, and a second run in a
# fresh process often sees it (docs/grading.md, "Tries"): a mutant built
# under tsan survives only if the phase's tests pass this many times.
TSAN_RUNS = 3


def _outcome(ctx, build_dir, phase, mutation):
    target = f"phase{phase.number}_mutant_{mutation.id}_tests"
    built = run(ctx, ["cmake", "--build", build_dir, "--target", target])
    if built.returncode != 0:
        return "did not compile"
    for _ in range(TSAN_RUNS if mutation.preset == "tsan" else 1):
        tests = run(ctx, ["ctest", "--test-dir", build_dir, "-R", f"^mutants/{phase.number}/{mutation.id}/",
                          "-j", str(ctx.jobs), "--stop-on-failure", "--no-tests=error"], env=ctx.test_env)
        if tests.returncode != 0:
            return "caught"
    return "survived"


def _merged(path, outcomes, ids):
    """The outcomes of the last run at path (of the mutants that still exist), updated with these."""
    try:
        last = json.loads(path.read_text())["outcomes"]
    except (OSError, ValueError, KeyError, TypeError):
        last = {}
    merged = {i: o for i, o in last.items() if i in ids}
    merged.update(outcomes)
    return merged


def run_command(args, ctx):
    require("cmake", "ctest")
    phase = phases.find(ctx.root, args.phase)
    term = ctx.term
    solution_dir = ctx.root / "solutions" / phase.folder
    found = [m for m in mutate.find(solution_dir) if args.only in m.id]
    equivalent = mutate.read_equivalent(ctx.root / "mutants" / phase.folder / "equivalent.txt")
    if args.list or not found:
        for m in found:
            term.print(f"  {m.id:40} {m.describe()}")
        term.print(f"{len(found)} mutants of phase {phase.number}")
        return 0
    chaos.apply(args, ctx)
    term.echo_commands = False
    outcomes = {}
    for preset in ("default", "tsan", "asan"):
        batch = [m for m in found if m.preset == preset]
        if not batch:
            continue
        patches_dir = ctx.root / "build" / "mutate" / preset
        shutil.rmtree(patches_dir, ignore_errors=True)
        (patches_dir / phase.folder).mkdir(parents=True)
        for m in batch:
            (patches_dir / phase.folder / f"{m.id}.patch").write_text(mutate.patch_text(m, solution_dir))
        build_dir = _configure(ctx, preset, patches_dir)
        for k, m in enumerate(batch, 1):
            outcome = _outcome(ctx, build_dir, phase, m)
            outcomes[m.id] = outcome
            note = f"  (equivalent: {equivalent[m.id]})" if m.id in equivalent else ""
            colour = {"caught": term.green, "survived": term.red}.get(outcome, term.yellow)
            term.print(f"[{preset} {k}/{len(batch)}] {colour(outcome):>16}  {m.id}{term.dim(note)}")
            if outcome == "survived" and m.id not in equivalent:
                term.print(term.dim(f"      {m.describe()}"))
    out = ctx.root / "build" / "mutate" / f"phase{phase.number}.json"
    if args.only:  # a partial run: the phase's other mutants keep their last outcome
        outcomes = _merged(out, outcomes, {m.id for m in mutate.find(solution_dir)})
    caught, counted, percent = mutate.score(outcomes, equivalent)
    survivors = [i for i, o in outcomes.items() if o == "survived" and i not in equivalent]
    out.write_text(json.dumps({"phase": phase.number, "outcomes": outcomes, "equivalent": equivalent,
                               "caught": caught, "counted": counted, "score": round(percent, 1)}, indent=2))
    term.print()
    term.print(term.bold(f"phase {phase.number}: {caught}/{counted} caught ({percent:.0f}%), "
                         f"{sum(o == 'did not compile' for o in outcomes.values())} did not compile, "
                         f"{sum(i in equivalent for i in outcomes)} listed as equivalent"))
    term.print(term.dim(f"wrote {ctx.rel(out)}"))
    return EXIT_SURVIVORS if survivors else 0
