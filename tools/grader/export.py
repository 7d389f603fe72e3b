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
from .report import explanation_lines, failure_text, tsan_verdict


_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text):
    """Drops characters XML 1.0 forbids (terminal escapes in captured output)."""
    return _NOT_XML.sub("", text)


def _test_output(result, test, hints):
    """Reason plus hint; a hint is no help while the code does not compile."""
    if test.passed:
        return ""
    extra = [] if test.kind == "compile" else explanation_lines(result, test, hints)
    return "\n".join([failure_text(test)] + extra)


def _fenced(text):
    """Markdown that shows text as is, in a fixed-width font."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def _overall_output(results, scorecard_text):
    """Markdown: the fixed-width scorecard, then the compiler errors of each phase that did not compile."""
    parts = [_fenced(scorecard_text)]
    for result in results:
        if not result.compiled:
            parts.append(f"Phase {result.phase.number} does not compile:\n\n{_fenced(result.compile_errors)}")
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


def gradescope(results, preset, track, repeat, scorecard_text, seconds=0.0):
    """The results.json document; `seconds`: how long the whole grading took.

    Every test is numbered "<phase>.<n>" (Gradescope orders by it), visible,
    with its execution_time; its output is plain text, the overall output
    markdown, so that the scorecard keeps its columns.
    """
    tests = []
    with_tsan = preset == "tsan"
    for result in results:
        hints = hints_mod.load(result.phase.hints_file)
        phase_tag = f"phase{result.phase.number}"
        if not result.tests and not result.compiled:
            tests.append({"name": f"{result.phase.label}: build", "number": f"{int(result.phase.number)}.0",
                          "score": 0, "max_score": 0, "status": "failed", "visibility": "visible",
                          "execution_time": 0, "output": "does not compile\n" + result.compile_errors,
                          "tags": [phase_tag]})
        for index, test in enumerate(result.tests, start=1):
            tests.append({"name": f"{result.phase.label}: {test.test}",
                          "number": f"{int(result.phase.number)}.{index}",
                          "score": int(test.passed), "max_score": 1,
                          "status": "passed" if test.passed else "failed",
                          "visibility": "visible",
                          "execution_time": round(test.seconds, 3),
                          "output": _test_output(result, test, hints),
                          "tags": [phase_tag] + ([test.kind] if test.kind else [])})
    # Only keys of Gradescope's results.json specification at the top level;
    # the workbook's own summary goes where the specification keeps extra data.
    return {
        "score": sum(r.passed for r in results),
        "execution_time": round(seconds),
        "output": _overall_output(results, scorecard_text),
        "output_format": "md",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "visible",
        "tests": tests,
        "extra_data": {"workbook": {
            "max_score": sum(r.total for r in results),
            "preset": preset, "track": track, "repeat": repeat,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "phases": [_phase_summary(r, with_tsan) for r in results],
        }},
    }


def _seconds(tests):
    """JUnit's time attribute: seconds, three decimals, summed over tests."""
    return f"{sum(t.seconds for t in tests):.3f}"


def junit(results, preset, track):
    """testsuites > testsuite per phase > testcase (+ failure)."""
    suites = ET.Element("testsuites", name=f"go-workbook {track} ({preset})",
                        tests=str(sum(r.total for r in results)),
                        failures=str(sum(r.total - r.passed for r in results)),
                        time=_seconds(t for r in results for t in r.tests))
    for result in results:
        hints = hints_mod.load(result.phase.hints_file)
        suite = ET.SubElement(suites, "testsuite", name=f"{result.phase.label}: {result.phase.title}",
                              tests=str(result.total), failures=str(result.total - result.passed),
                              time=_seconds(result.tests))
        for test in result.tests:
            case = ET.SubElement(suite, "testcase", name=test.test, classname=f"phase{result.phase.number}",
                                 time=_seconds([test]))
            if not test.passed:
                failure = ET.SubElement(case, "failure", message=_xml_safe(failure_text(test)))
                failure.text = _xml_safe(_test_output(result, test, hints) + "\n\n" + test.output)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_all(out_dir, results, preset, track, repeat, scorecard_text, seconds=0.0):
    """Writes results.json, junit.xml and scorecard.txt; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in ("results.json", "junit.xml", "scorecard.txt")}
    paths["results.json"].write_text(
        json.dumps(gradescope(results, preset, track, repeat, scorecard_text, seconds), indent=2) + "\n",
        encoding="utf-8")
    paths["junit.xml"].write_text(junit(results, preset, track), encoding="utf-8")
    paths["scorecard.txt"].write_text(scorecard_text + "\n", encoding="utf-8")
    return list(paths.values())
