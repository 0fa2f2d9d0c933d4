#!/usr/bin/env python3
"""Determinism lint: forbid wall clocks, sleeps, threads and global
randomness in the simulator's code (sim/, emulators/, engine/).

Matching runs on code only: comments and string/char literals are blanked
out first (line and column positions are preserved).

A justified exception is written as

    // determinism-lint: allow(<reason>)

either on the offending line or alone on the line just before it.  An
escape without a reason is an error; an escape that suppresses nothing is
a warning.  Exit status: 0 clean, 1 errors found, 2 usage error.
"""

import argparse
import bisect
import os
import re
import sys

DEFAULT_DIRS = ("sim", "emulators", "engine")
EXTENSIONS = (".h", ".hpp", ".cc", ".cpp")

HINTS = {
    "wall clock": "sim::SimTime / Scheduler::now()",
    "sleep": "Scheduler::scheduleAfter",
    "threads": "parallelism only across seeds in tools/",
    "randomness": "sim::Rng streams",
    "distribution": "sim::Rng streams",
}

STD_DISTRIBUTIONS = (
    "uniform_int|uniform_real|bernoulli|binomial|negative_binomial|"
    "geometric|poisson|exponential|gamma|weibull|extreme_value|normal|"
    "lognormal|chi_squared|cauchy|fisher_f|student_t|discrete|"
    "piecewise_constant|piecewise_linear")

# Names forbidden wherever they appear as identifiers: (category, regex).
NAME_RULES = [
    ("wall clock", r"\b(?:(?:std::)?chrono::)?(?:system|steady|"
                   r"high_resolution|utc|tai|gps|file)_clock\b"),
    ("wall clock", r"\b(?:gettimeofday|clock_gettime|timespec_get|"
                   r"localtime(?:_r|_s)?|gmtime(?:_r|_s)?)\b"),
    ("sleep", r"\b(?:sleep_for|sleep_until|usleep|nanosleep)\b"),
    ("threads", r"\bstd::(?:j?thread|async|condition_variable(?:_any)?|"
                r"(?:\w+_)?mutex|atomic(?:_\w+)?)\b"),
    ("threads", r"\bpthread_\w+"),
    ("threads", r"#\s*include\s*<(?:thread|future|pthread\.h)>"),
    ("randomness", r"\b(?:std::)?random_device\b"),
    ("randomness", r"\b[dejlmns]rand48(?:_r)?\b"),
    ("randomness", r"\bstd::\w+_engine\b|\b(?:std::)?(?:mt19937(?:_64)?|"
                   r"default_random_engine|minstd_rand0?|knuth_b|"
                   r"ranlux(?:24|48)(?:_base)?)\b"),
    ("distribution", r"\bstd::\w+_distribution\b|\b(?:"
                     + STD_DISTRIBUTIONS + r")_distribution\b"),
]

# Free functions forbidden only when called unqualified (or through the
# qualifiers listed): (category, name, allowed qualifiers).
CALL_RULES = [
    ("wall clock", "time", ("", "::", "std::")),
    ("wall clock", "clock", ("", "::", "std::")),
    ("sleep", "sleep", ("", "::")),
    ("randomness", "rand", ("", "::", "std::")),
    ("randomness", "srand", ("", "::", "std::")),
    ("randomness", "rand_r", ("", "::", "std::")),
    ("randomness", "random", ("", "::", "std::")),
]

# Words that may precede a call expression; any other identifier right
# before `name(` means a declaration such as `SimTime time() const`.
EXPR_KEYWORDS = {
    "return", "co_return", "co_yield", "co_await", "throw", "case", "else",
    "do", "not", "and", "or", "sizeof", "decltype", "noexcept", "new",
}

ESCAPE_RE = re.compile(r"determinism-lint:\s*allow\s*(?:\((.*)\))?")

# Tokens that hide code from the matcher.  Identifiers and numbers are
# consumed too, so that `fooR"x"` is no raw string and `1'000` no char.
TOKEN_RE = re.compile(r"""
    (?P<raw>(?:u8|[uUL])?R"(?P<delim>[^()\\\s"]{0,16})\(.*?\)(?P=delim)")
  | (?P<str>(?:u8|[uUL])?"(?:\\.|[^"\\\n])*"?)
  | (?P<chr>(?:u8|[uUL])?'(?:\\.|[^'\\\n])*'?)
  | (?P<line>//(?:\\\n|[^\n])*)
  | (?P<block>/\*.*?(?:\*/|\Z))
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<num>\.?\d(?:[eEpP][+-]|[\w.]|'(?=\w))*)
""", re.VERBOSE | re.DOTALL)


def strip_code(text):
    """Blank comments and literals; return (code lines, // comments).

    The comments are (line number, column, text) triples.
    """
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    pieces, comments, pos = [], [], 0
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind in ("ident", "num"):
            continue
        if kind == "line":
            line = bisect.bisect_left(newlines, m.start()) + 1
            line_start = newlines[line - 2] + 1 if line > 1 else 0
            comments.append((line, m.start() - line_start + 1, m.group()))
        pieces.append(text[pos:m.start()])
        pieces.append(re.sub(r"[^\n]", " ", m.group()))
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces).split("\n"), comments


def call_is_forbidden(code, start, allowed):
    """Classify the call `name(` at code[start:]; return the column where
    the forbidden expression starts, or None when it is not forbidden."""
    before = code[:start].rstrip()
    if before.endswith("::"):
        m = re.search(r"(?:\b(\w+)\s*)?::$", before)
        qualifier, start = m.group(1) or "", m.start()
        if qualifier in EXPR_KEYWORDS:  # `return ::time(0)`
            qualifier, start = "", len(before) - 2
        form = qualifier + "::"
    elif before.endswith(".") or before.endswith("->"):
        return None  # member call such as x.time() or x->time()
    else:
        # `Type name(` or `Type& name(` declares a function; no call.
        m = re.search(r"(\w+)\s*[&*]*$", before)
        if m and m.group(1) not in EXPR_KEYWORDS and not m.group(1).isdigit():
            return None
        form = ""
    return start if form in allowed else None


def find_violations(lines):
    """Yield (line, col, found text, category) for every match."""
    for lineno, code in enumerate(lines, 1):
        hits = []
        for category, pattern in NAME_RULES:
            for m in re.finditer(pattern, code):
                hits.append((m.start(), m.end(), category))
        for category, name, allowed in CALL_RULES:
            for m in re.finditer(r"\b%s\s*\(" % name, code):
                start = call_is_forbidden(code, m.start(), allowed)
                if start is not None:
                    hits.append((start, m.end(), category))
        # Report each stretch of code once, leftmost rule first.
        last_end = -1
        for start, end, category in sorted(hits):
            if start >= last_end:
                found = " ".join(code[start:end].split())
                yield lineno, start + 1, found, category
                last_end = end


def lint_file(path, rel):
    """Lint one file and print its reports in line order.

    Returns the counts (errors, warnings, escapes used).
    """
    with open(path, encoding="utf-8", errors="replace") as f:
        lines, comments = strip_code(f.read())
    errors, warnings = [], []
    escapes = {}  # target line -> [escape line, col, reason, used]
    for line, col, text in comments:
        m = ESCAPE_RE.search(text)
        if not m:
            continue
        if not (m.group(1) or "").strip():
            errors.append((line, col, "escape without a reason — write "
                           "// determinism-lint: allow(<why>)"))
            continue
        # An escape alone on its line covers the next line.
        target = line if lines[line - 1].strip() else line + 1
        escapes[target] = [line, col, m.group(1).strip(), False]
    for line, col, found, category in find_violations(lines):
        if line in escapes:
            escapes[line][3] = True
            continue
        errors.append((line, col, "'%s' (%s) — use %s"
                       % (found, category, HINTS[category])))
    for line, col, reason, used in escapes.values():
        if not used:
            warnings.append((line, col, "determinism-lint escape suppresses "
                             "nothing (allow(%s)); remove it" % reason))
    used_count = sum(1 for e in escapes.values() if e[3])
    report = [(l, c, "error", msg) for l, c, msg in errors]
    report += [(l, c, "warning", msg) for l, c, msg in warnings]
    for line, col, kind, msg in sorted(report):
        print("%s:%d:%d: %s: %s" % (rel, line, col, kind, msg))
    return len(errors), len(warnings), used_count


def collect_files(root, paths, explicit):
    """Return sorted (relative path, absolute path) pairs to check."""
    files = {}
    for p in paths:
        full = os.path.normpath(os.path.join(root, p))
        if os.path.isfile(full):
            files[os.path.relpath(full, root)] = full
        elif os.path.isdir(full):
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for name in filenames:
                    if name.endswith(EXTENSIONS):
                        f = os.path.join(dirpath, name)
                        files[os.path.relpath(f, root)] = f
        elif explicit:
            raise FileNotFoundError(p)
    return sorted((rel.replace(os.sep, "/"), f) for rel, f in files.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="repository root (default: parent "
                        "of this script's directory)")
    parser.add_argument("paths", nargs="*", help="files or directories, "
                        "relative to the root (default: %s)"
                        % " ".join(DEFAULT_DIRS))
    args = parser.parse_args(argv)
    root = args.root or os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isdir(root):
        print("determinism_lint: no such root directory: %s" % root,
              file=sys.stderr)
        return 2
    try:
        files = collect_files(root, args.paths or DEFAULT_DIRS,
                              explicit=bool(args.paths))
    except FileNotFoundError as e:
        print("determinism_lint: no such file or directory: %s" % e,
              file=sys.stderr)
        return 2
    errors = warnings = used = 0
    for rel, path in files:
        e, w, u = lint_file(path, rel)
        errors, warnings, used = errors + e, warnings + w, used + u
    print("determinism_lint: %d files checked, %d violations, "
          "%d escapes used, %d warnings"
          % (len(files), errors, used, warnings))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main())
