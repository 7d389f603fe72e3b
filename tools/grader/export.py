"""Machine-readable grade reports: Gradescope results.json and JUnit XML.

results.json follows the Gradescope autograder format so the same run can
feed a Gradescope assignment; its "extra_data" -> "workbook" entry carries the per-phase
summary `workbook list` shows. junit.xml is for CI dashboards.
"""

import json
import re
import time
import xml.etree.ElementTree as ET

from . import hints as hints_mod
from .report import failure_text, hint_lines, tsan_verdict


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text):
    """Drops characters XML 1.0 forbids (terminal escapes in captured output)."""
    return _NOT_XML.sub("", text)


def _test_output(result, test, hints):
    """Reason plus hint; a hint is no help while the code does not compile."""
    if test.passed:
        return ""
    extra = [] if test.kind == "compile" else hint_lines(result.phase, test.test, hints)
    return "\n".join([failure_text(test)] + extra)


def _overall_output(results, scorecard_text):
    """The scorecard, then the compiler errors of each phase that did not compile."""
    parts = [scorecard_text]
    for result in results:
        if not result.compiled:
            parts.append(f"phase {result.phase.number} does not compile:\n{result.compile_errors}")
    return "\n\n".join(parts)


def _phase_summary(result, with_tsan):
    summary = {
        "phase": result.phase.number,
        "folder": result.phase.folder,
        "title": result.phase.title,
        "passed": result.passed,
        "total": result.total,
        "compiled": result.compiled,
        "failed": [t.test for t in result.tests if not t.passed and not t.flaky],
        "flaky": [t.test for t in result.flaky],
    }
    if with_tsan:
        summary["tsan"] = tsan_verdict(result)
    if result.run.problem:
        summary["problem"] = result.run.problem
    return summary


def gradescope(results, preset, track, repeat, scorecard_text):
    """The results.json document."""
    tests = []
    with_tsan = preset == "tsan"
    for result in results:
        hints = hints_mod.load(result.phase.hints_file)
        if not result.tests and not result.compiled:
            tests.append({"name": f"{result.phase.label}: build", "score": 0, "max_score": 0,
                          "status": "failed", "output": "does not compile\n" + result.compile_errors,
                          "tags": [f"phase{result.phase.number}"]})
        for test in result.tests:
            entry = {"name": f"{result.phase.label}: {test.test}",
                     "score": int(test.passed), "max_score": 1,
                     "status": "passed" if test.passed else "failed",
                     "output": _test_output(result, test, hints),
                     "tags": [f"phase{result.phase.number}"] + ([test.kind] if test.kind else [])}
            tests.append(entry)
    # Only keys of Gradescope's results.json specification at the top level;
    # the workbook's own summary goes where the specification keeps extra data.
    return {
        "score": sum(r.passed for r in results),
        "output": _overall_output(results, scorecard_text),
        "tests": tests,
        "extra_data": {"workbook": {
            "max_score": sum(r.total for r in results),
            "preset": preset, "track": track, "repeat": repeat,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "phases": [_phase_summary(r, with_tsan) for r in results],
        }},
    }


def junit(results, preset, track):
    """testsuites > testsuite per phase > testcase (+ failure)."""
    suites = ET.Element("testsuites", name=f"go-workbook {track} ({preset})",
                        tests=str(sum(r.total for r in results)),
                        failures=str(sum(r.total - r.passed for r in results)))
    for result in results:
        hints = hints_mod.load(result.phase.hints_file)
        suite = ET.SubElement(suites, "testsuite", name=f"{result.phase.label}: {result.phase.title}",
                              tests=str(result.total), failures=str(result.total - result.passed))
        for test in result.tests:
            case = ET.SubElement(suite, "testcase", name=test.test, classname=f"phase{result.phase.number}")
            if not test.passed:
                failure = ET.SubElement(case, "failure", message=_xml_safe(failure_text(test)))
                failure.text = _xml_safe(_test_output(result, test, hints) + "\n\n" + test.output)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_all(out_dir, results, preset, track, repeat, scorecard_text):
    """Writes results.json, junit.xml and scorecard.txt; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in ("results.json", "junit.xml", "scorecard.txt")}
    paths["results.json"].write_text(
        json.dumps(gradescope(results, preset, track, repeat, scorecard_text), indent=2) + "\n", encoding="utf-8")
    paths["junit.xml"].write_text(junit(results, preset, track), encoding="utf-8")
    paths["scorecard.txt"].write_text(scorecard_text + "\n", encoding="utf-8")
    return list(paths.values())
