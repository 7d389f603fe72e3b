"""The Gradescope autograder bundle: build/gradescope/autograder.zip.

Gradescope unpacks the zip into /autograder/source, runs its setup.sh once
(as root) to build the image, and for every submission runs run_autograder,
which must leave /autograder/results/results.json. The zip holds the
workbook as committed (tests, reference solutions, tools) plus those two
scripts:

  setup.sh        tools/setup.sh (the Debian packages `make setup` installs),
                  then configures the chosen preset
  run_autograder  copies the phase folders of the student's exercises/ over
                  the stubs, runs `workbook grade` into /autograder/results,
                  and writes a results.json that says what went wrong if the
                  grader could not run at all

AUTOGRADER_ROOT (default /autograder) relocates the whole layout, so that
run_autograder can be tried in a scratch directory before it is uploaded.
"""

import os
import stat
import subprocess
import zipfile
from pathlib import Path

SKIPPED_DIRS = {".git", "build", "__pycache__", ".cache"}

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source: the toolchain
# from Debian's packages (the list lives in tools/setup.sh), then the build.
set -euo pipefail
cd "$(dirname "$0")"
tools/setup.sh
cmake --preset {preset} >/dev/null
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade the student's exercises/.
# Made by `make gradescope`: preset {preset}, phases {phases_text}.
set -uo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
source_dir="$root/source"
submission="$root/submission"
results="$root/results"
mkdir -p "$results"
cd "$source_dir"

# The submission is the whole repository, or its exercises/ folder, or the
# phase folders themselves, possibly one folder down (a zip of the clone).
exercises=$(find "$submission" -maxdepth 3 -type d -name exercises -print -quit)
exercises=${{exercises:-$submission}}
copied=0
for stub in exercises/*/; do
  phase=$(basename "$stub")
  if [ -d "$exercises/$phase" ]; then
    rm -rf "exercises/$phase"
    cp -R "$exercises/$phase" "exercises/$phase"
    echo "run_autograder: graded your exercises/$phase"
    copied=$((copied + 1))
  fi
done
[ "$copied" -gt 0 ] || echo "run_autograder: no exercises/NN-topic folder in the submission: grading the stubs"

rm -f "$results/results.json"
python3 tools/workbook.py grade --preset {preset} --phases '{phases}' --out "$results" 2>&1 | tee "$results/grade.log"
if [ ! -s "$results/results.json" ]; then
  python3 - "$results" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
log = (out / "grade.log").read_text(errors="replace")[-5000:]
(out / "results.json").write_text(json.dumps({{
    "score": 0, "output_format": "text", "stdout_visibility": "visible",
    "output": "The autograder could not grade this submission:\\n\\n" + log, "tests": []}}, indent=2))
EOF
fi
"""


def repository_files(root):
    """The files of the workbook to ship: git's tracked and unignored files,
    or, without git, every file outside build/ and .git/."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=root, capture_output=True, check=True).stdout
        names = sorted({n for n in listed.decode().split("\0") if n})
        return [Path(n) for n in names if (root / n).is_file()]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not SKIPPED_DIRS.intersection(rel.parts):
                found.append(rel)
        return found


def _add(archive, name, data, executable):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # same input, same zip
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def scripts(preset, phases):
    """{name: text} of the two scripts Gradescope runs; phases: "" for all."""
    return {"setup.sh": SETUP.format(preset=preset),
            "run_autograder": RUN_AUTOGRADER.format(preset=preset, phases=phases,
                                                    phases_text=phases or "all")}


def write_bundle(root, out, preset, phases=""):
    """Writes the autograder zip; returns the number of files in it."""
    generated = scripts(preset, phases)
    files = [f for f in repository_files(root) if f.as_posix() not in generated]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in generated.items():
            _add(archive, name, text, executable=True)
        for rel in files:
            path = root / rel
            _add(archive, rel.as_posix(), path.read_bytes(), executable=os.access(path, os.X_OK))
    return len(files) + len(generated)


def unpack(bundle, source_dir):
    """Unzips a bundle as Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = archive.extract(info, source_dir)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode)
