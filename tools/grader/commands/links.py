"""`workbook links`: every relative markdown link and anchor must resolve."""

from .. import links as links_mod


def register(subparsers):
    p = subparsers.add_parser("links", help="check relative links and #anchors in every *.md")
    p.set_defaults(func=run)


def print_broken(ctx, broken):
    for b in broken:
        ctx.term.print(f"  {ctx.rel(b.file)}:{b.line}: {ctx.term.red(b.target)} — {b.why}")


def run(args, ctx):
    broken = links_mod.check(ctx.root)
    count = sum(1 for _ in links_mod.markdown_files(ctx.root))
    print_broken(ctx, broken)
    if broken:
        ctx.term.print(ctx.term.red(f"{len(broken)} broken link(s) in {count} markdown files"))
        return 1
    ctx.term.print(ctx.term.green(f"all relative links resolve ({count} markdown files)"))
    return 0
