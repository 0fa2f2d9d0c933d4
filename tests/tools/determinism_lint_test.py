#!/usr/bin/env python3
"""Tests for tools/determinism_lint.py.

Runs the lint as a subprocess on the fixture trees under lint_fixtures/
(each tree is passed with --root, so none of it lies under the real sim/).
Run as: python3 tests/tools/determinism_lint_test.py
"""

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LINT = os.path.join(REPO, "tools", "determinism_lint.py")
FIXTURES = os.path.join(HERE, "lint_fixtures")

REPORT_RE = re.compile(r"^(\S+):(\d+):(\d+): (error|warning): (.*)$")
CATEGORY_RE = re.compile(
    r"\((wall clock|sleep|threads|randomness|distribution)\) — use ")


def run_lint(*args):
    """Run the lint; return (exit code, stdout lines)."""
    proc = subprocess.run([sys.executable, LINT] + list(args),
                          capture_output=True, encoding="utf-8")
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def reports(lines):
    """Parse report lines into (path, line, kind, category, message)."""
    parsed = []
    for text in lines:
        m = REPORT_RE.match(text)
        if m:
            cat = CATEGORY_RE.search(m.group(5))
            parsed.append((m.group(1), int(m.group(2)), m.group(4),
                           cat.group(1) if cat else None, m.group(5)))
    return parsed


def fixture(name):
    return os.path.join(FIXTURES, name)


class DeterminismLintTest(unittest.TestCase):

    def test_bad_fixture_reports_each_category_once(self):
        code, out, _ = run_lint("--root", fixture("bad"))
        self.assertEqual(code, 1, "\n".join(out))
        found = [(p, l, c) for p, l, kind, c, _ in reports(out)]
        self.assertEqual(found, [
            ("sim/bad.cc", 7, "wall clock"),
            ("sim/bad.cc", 8, "sleep"),
            ("sim/bad.cc", 9, "threads"),
            ("sim/bad.cc", 10, "randomness"),
            ("sim/bad.cc", 11, "distribution"),
        ])
        self.assertIn("determinism_lint: 1 files checked, 5 violations",
                      out[-1])
        # The hints point at the project's deterministic alternatives.
        text = "\n".join(out)
        for hint in ("sim::SimTime / Scheduler::now()",
                     "Scheduler::scheduleAfter",
                     "parallelism only across seeds in tools/",
                     "sim::Rng streams"):
            self.assertIn(hint, text)

    def test_every_marked_pattern_is_reported_and_nothing_else(self):
        # Lines carrying "expect: <category>" must be reported with that
        # category; no other line may be reported.
        path = os.path.join(fixture("patterns"), "emulators", "patterns.cc")
        expected = []
        with open(path, encoding="utf-8") as f:
            for lineno, text in enumerate(f, 1):
                m = re.search(r"expect: ([a-z ]+)$", text.rstrip())
                if m:
                    expected.append(("emulators/patterns.cc", lineno,
                                     m.group(1)))
        code, out, _ = run_lint("--root", fixture("patterns"))
        self.assertEqual(code, 1)
        found = [(p, l, c) for p, l, kind, c, _ in reports(out)]
        self.assertEqual(found, expected)

    def test_clean_fixture_passes_with_escapes_counted(self):
        code, out, _ = run_lint("--root", fixture("clean"))
        self.assertEqual(code, 0, "\n".join(out))
        self.assertEqual(reports(out), [])
        self.assertEqual(out, ["determinism_lint: 1 files checked, "
                               "0 violations, 2 escapes used, 0 warnings"])

    def test_escape_without_reason_is_an_error(self):
        code, out, _ = run_lint("--root", fixture("escape_empty"))
        self.assertEqual(code, 1)
        messages = [r[4] for r in reports(out) if r[2] == "error"]
        self.assertTrue(any("escape without a reason" in m for m in messages),
                        out)

    def test_unused_escape_is_only_a_warning(self):
        code, out, _ = run_lint("--root", fixture("escape_unused"))
        self.assertEqual(code, 0, "\n".join(out))
        found = reports(out)
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0][:3], ("sim/unused.cc", 2, "warning"))
        self.assertIn("suppresses nothing", found[0][4])

    def test_missing_explicit_directory_is_a_usage_error(self):
        code, _, err = run_lint("--root", fixture("clean"), "engine")
        self.assertEqual(code, 2)
        self.assertIn("engine", err)

    def test_explicit_path_limits_the_check(self):
        # Positional paths replace the default sim/ emulators/ engine/.
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "emulators"))
            os.mkdir(os.path.join(tmp, "sim"))
            with open(os.path.join(tmp, "sim", "x.cc"), "w") as f:
                f.write("int r = rand();\n")
            code, out, _ = run_lint("--root", tmp, "emulators")
            self.assertEqual(code, 0)
            code, out, _ = run_lint("--root", tmp)
            self.assertEqual(code, 1)
            self.assertEqual(reports(out)[0][:2], ("sim/x.cc", 1))

    def test_stripping_preserves_lines_and_columns(self):
        spec = importlib.util.spec_from_file_location("determinism_lint",
                                                      LINT)
        lint = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(lint)
        src = ('a = "x\\"y"; /* one\ntwo */ b = R"d(\n)" )d"; c\n'
               "// tail rand()\nd = '\\''; e = 1'000;\n")
        lines, comments = lint.strip_code(src)
        self.assertEqual(len(lines), src.count("\n") + 1)
        self.assertEqual([len(x) for x in lines],
                         [len(x) for x in src.split("\n")])
        self.assertEqual(lines[0].split(), ["a", "=", ";"])
        self.assertEqual(lines[1].split(), ["b", "="])
        self.assertEqual(lines[2].split(), [";", "c"])
        self.assertEqual(lines[3].strip(), "")
        self.assertEqual(lines[4].split(), ["d", "=", ";", "e", "=",
                                            "1'000;"])
        self.assertEqual(comments, [(4, 1, "// tail rand()")])

    def test_real_repository_is_clean(self):
        present = [d for d in ("sim", "emulators", "engine")
                   if os.path.isdir(os.path.join(REPO, d))]
        code, out, _ = run_lint()
        self.assertEqual(code, 0, "\n".join(out))
        self.assertTrue(out[-1].startswith("determinism_lint: "), out)
        if not present:
            self.assertIn(" 0 files checked", out[-1])


if __name__ == "__main__":
    unittest.main()
