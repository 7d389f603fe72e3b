"""`workbook gradescope`: the Gradescope autograder zip (see grader/gradescope.py)."""

from .. import gradescope
from . import options


def register(subparsers):
    p = subparsers.add_parser("gradescope", help="write build/gradescope/autograder.zip for a Gradescope assignment")
    options.add_preset(p)
    p.add_argument("--phases", default="", metavar="LIST",
                   help="grade only these phases, comma-separated (01,02); default: all")
    p.add_argument("--out", default="build/gradescope/autograder.zip", metavar="ZIP")
    p.set_defaults(func=run)


def run(args, ctx):
    out = ctx.root / args.out
    count = gradescope.write_bundle(ctx.root, out, args.preset, args.phases)
    ctx.term.print(f"wrote {ctx.rel(out)}: {count} files, grading {args.phases or 'every phase'} "
                   f"under the {args.preset} preset")
    ctx.term.print(ctx.term.dim("upload it as the assignment's autograder (Ubuntu 22.04's cmake is too old: "
                                "pick a base image with cmake >= 3.25); docs/grading.md#gradescope"))
    return 0
