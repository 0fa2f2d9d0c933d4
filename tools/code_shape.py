#!/usr/bin/env python3
"""Code shape check: C++ functions too long to see whole, lambdas nested too deep.

Heuristic, without a compiler: comments, string and character literals and
preprocessor lines are blanked out first (line numbers are preserved; a digit
separator as in 10'000 is part of its number, not a character literal), then
braces are matched, and each `{` is classified by the code before it:

  namespace  `namespace x {`, `extern "C" {`
  type       `class`, `struct`, `union` or `enum` heads
  lambda     a capture list, optional template parameters, parameters,
             specifiers and trailing return type: `[a, &b](int x) mutable -> T {`
  function   a `)` head (with qualifiers, trailing return type or a
             constructor's initialiser list) directly in a namespace or a type
  block      anything else (control statements, initialisers)

A function's length counts the lines from its opening brace to its closing
brace, both included. A lambda's depth counts the lambdas it is in, itself
included: a lambda in a function is depth 1, a lambda inside it depth 2.
A lambda outside any function is measured like a function too.

Usage: code_shape.py [--max-function-lines N] [--max-lambda-depth D]
                     [--root DIR] paths...
Directories are searched recursively for .h/.hh/.hpp/.cc/.cpp/.cxx files.
Exit status: 0 within limits, 1 offenders found (one line each), 2 usage error.
"""

import argparse
import os
import re
import sys

EXTENSIONS = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx")

# The tokens that hide code from the brace matcher are the determinism lint's
# (comments, string and character literals, identifiers and numbers, so that
# `fooR"x"` is no raw string and `1'000` no character literal).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from determinism_lint import TOKEN_RE  # noqa: E402

# A preprocessor directive, with its backslash continuations.
DIRECTIVE_RE = re.compile(r"^[ \t]*#(?:\\\n|[^\n])*", re.MULTILINE)


def blank(text):
    """Every character but newlines turned into a space."""
    return re.sub(r"[^\n]", " ", text)


def strip_code(text):
    """The code with comments, literals and directives blanked out.

    String literals keep their quotes (`""`), so `extern "C"` still reads
    as `extern ""`; everything keeps its line.
    """
    pieces, pos = [], 0
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind in ("ident", "num"):
            continue
        pieces.append(text[pos:m.start()])
        if kind in ("str", "raw"):
            pieces.append('""' + blank(m.group()[2:]))
        else:
            pieces.append(blank(m.group()))
        pos = m.end()
    pieces.append(text[pos:])
    return DIRECTIVE_RE.sub(lambda m: blank(m.group()), "".join(pieces))


# ---- Reading a head (the code between the previous statement and a `{`) -------------------

OPENERS = {")": "(", "]": "[", ">": "<"}
SPECIFIERS_RE = re.compile(
    r"(?:\b(?:mutable|constexpr|consteval|static|noexcept|const|volatile|"
    r"override|final)\b|&&|&)\s*$")
NOEXCEPT_ARG_RE = re.compile(r"\bnoexcept\s*$")
KEYWORDS_BEFORE_PAREN = {
    "if", "for", "while", "switch", "catch", "return", "sizeof", "alignof",
    "decltype", "noexcept", "alignas", "requires", "static_assert",
    "__attribute__", "throw", "co_return", "co_await", "co_yield", "new",
    "delete", "typeid",
}
CONTROL_RE = re.compile(r"(?:^|[\s;{}])(?:else|do|try)\s*$")


def match_back(s, end):
    """Index of the bracket opening the one closing at s[end] (None if unmatched)."""
    close = s[end]
    open_ = OPENERS[close]
    depth = 0
    for i in range(end, -1, -1):
        if s[i] == close:
            depth += 1
        elif s[i] == open_:
            depth -= 1
            if depth == 0:
                return i
    return None


def strip_specifiers(head):
    """The head without trailing specifiers and noexcept(...)."""
    while True:
        head = head.rstrip()
        if head.endswith(")"):
            start = match_back(head, len(head) - 1)
            if start is not None and NOEXCEPT_ARG_RE.search(head[:start]):
                head = NOEXCEPT_ARG_RE.sub("", head[:start])
                continue
        m = SPECIFIERS_RE.search(head)
        if not m:
            return head
        head = head[:m.start()]


def strip_trailing_return(head):
    """The head without a trailing `-> T` (T holds no `;`, `{` or `}`)."""
    i = head.rfind("->")
    while i >= 0:
        before = strip_specifiers(head[:i])
        if before.endswith(")") or before.endswith("]"):
            return before
        i = head.rfind("->", 0, i)
    return head


def is_lambda(head):
    """True when the head ends like a lambda introducer (see the module doc)."""
    h = strip_trailing_return(strip_specifiers(head)).rstrip()
    if h.endswith(")"):
        start = match_back(h, len(h) - 1)
        if start is None:
            return False
        h = h[:start].rstrip()
    if h.endswith(">"):  # C++20 template parameters: []<typename T>(T x) {
        start = match_back(h, len(h) - 1)
        if start is None:
            return False
        h = h[:start].rstrip()
    if not h.endswith("]") or h.endswith("]]"):  # [[attribute]] is no capture
        return False
    start = match_back(h, len(h) - 1)
    if start is None:
        return False
    before = h[:start].rstrip()
    if re.search(r"\boperator\s*$", before):  # operator[]
        return False
    word = re.search(r"(\w+)$", before)
    if word:  # `a[i]`, `int x[2]`: an array, unless a keyword precedes
        return word.group(1) in ("return", "co_return", "co_yield", "co_await",
                                 "case", "throw", "and", "or", "not")
    return not before.endswith((")", "]", ">")) or before.endswith("->")


NAME_RE = re.compile(r"((?:~?\w+\s*::\s*)*(?:operator\s*(?:\(\)|\[\]|[^\w\s()]+|\w[\w:<>*&\s]*?)|~?\w+))$")


def function_name(head):
    """The declared name: the one before the first `(` outside brackets and `<...>`."""
    paren = angle = 0
    i = 0
    while i < len(head):
        c = head[i]
        if c == "(" and paren == 0 and angle == 0:
            before = head[:i].rstrip()
            if re.search(r"\boperator$", before) and head[i:i + 2] == "()":
                i += 2  # operator(): its parameters come next
                continue
            m = NAME_RE.search(before)
            if m and m.group(1).split("::")[-1].strip() not in KEYWORDS_BEFORE_PAREN:
                return re.sub(r"\s+", "", m.group(1))
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif paren == 0 and c == "<" and "<" not in head[i - 1:i + 2].replace("<", "", 1) \
                and not re.search(r"\boperator\s*$", head[:i]):
            angle += 1
        elif paren == 0 and c == ">" and angle > 0 and head[i - 1:i] != "-":
            angle -= 1
        i += 1
    return "?"


def classify(head, enclosing):
    """namespace, type, lambda, function, control or init for the `{` after `head`.

    `enclosing` is the kind of the innermost open brace (None at file scope).
    """
    h = head.strip()
    if re.search(r"(?:^|[\s;])(?:inline\s+)?namespace\b[\w:\s]*$", h) or \
            re.search(r"\bextern\s*\"\"\s*$", h):
        return "namespace"
    if is_lambda(h):
        return "lambda"
    in_code = enclosing in ("function", "lambda", "control", "init")
    if not in_code and re.search(r"\b(?:class|struct|union|enum)\b[^()]*$", h):
        return "type"
    if in_code:
        if re.search(r"\b(?:class|struct|union)\b[^()=]*$", h) and \
                not re.search(r"\breturn\b", h):
            return "type"  # a local class
        if h == "" or h.endswith(")") or CONTROL_RE.search(h) or h.endswith(":"):
            return "control"  # if/for/while/switch/catch/else/do/try, a bare block, a label
        return "init"
    # Directly in a namespace, a type or the file: a function, or an initialiser.
    body = strip_constructor_initialisers(h)
    if body != h and not h.endswith((")", "}")):
        return "init"  # a member's brace initialiser: `X() : a_{1} {`
    body = strip_trailing_return(strip_specifiers(body))
    body = re.sub(r"\brequires\b.*$", "", body).rstrip()  # a trailing requires-clause
    if body.endswith(")") and function_name(body) != "?":
        return "function"
    return "init"


def strip_constructor_initialisers(head):
    """`X::X(int a) : a_(a), b_{}` -> `X::X(int a)` (the first top-level `:` after `)`)."""
    paren = 0
    for i, c in enumerate(head):
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == ":" and paren == 0 and head[i - 1:i + 1] != "::" and \
                head[i:i + 2] != "::" and head[:i].rstrip().endswith(")"):
            return head[:i]
    return head


# ---- Matching braces ------------------------------------------------------------------------

TYPE_NAME_RE = re.compile(r"\b(?:class|struct|union|enum)\s+(?:class\s+|struct\s+)?"
                          r"(?:\[\[[^\]]*\]\]\s*)?(\w+(?:::\w+)*)")


ACCESS_RE = re.compile(r"(?:^|[\s;{}])(?:public|private|protected)\s*$")


class Brace:
    def __init__(self, kind, line, name, head_line):
        self.kind = kind
        self.line = line  # of the `{`
        self.name = name
        self.head_line = head_line  # where the head's code starts (the signature)


def analyse(code):
    """Yield ("function", name, line, lines) and ("lambda", depth, line, function name)."""
    stack = []
    heads = [""]  # per nesting level: the code since the last `;`, `{` or `}`
    head_starts = [None]
    line = 1
    for c in code:
        if c == "\n":
            line += 1
            heads[-1] += c
        elif c == "{":
            head = heads[-1]
            enclosing = stack[-1].kind if stack else None
            kind = classify(head, enclosing)
            name = ""
            if kind == "function":
                name = function_name(strip_constructor_initialisers(head.strip()))
                types = [b.name for b in stack if b.kind == "type" and b.name]
                if types and name != "?":
                    name = "::".join(types + [name])
            elif kind == "type":
                m = TYPE_NAME_RE.search(head)
                name = m.group(1) if m else ""
            start = head_starts[-1] if head_starts[-1] is not None else line
            stack.append(Brace(kind, line, name, start))
            heads.append("")
            head_starts.append(None)
        elif c == "}":
            if not stack:
                continue
            brace = stack.pop()
            heads.pop()
            head_starts.pop()
            yield from measure(brace, stack, line)
            if brace.kind in ("lambda", "init"):
                heads[-1] += "{}"  # an expression goes on: `f([] {...});`, `T x{...};`
            else:
                heads[-1], head_starts[-1] = "", None
        elif c == ";" or (c == ":" and ACCESS_RE.search(heads[-1])):
            heads[-1], head_starts[-1] = "", None  # a statement or `public:` ends a head
        else:
            if head_starts[-1] is None and not c.isspace():
                head_starts[-1] = line
            heads[-1] += c


def measure(brace, stack, end_line):
    """The reports for one closed brace."""
    lines = end_line - brace.line + 1
    in_function = any(b.kind in ("function", "lambda") for b in stack)
    if brace.kind == "function" and not in_function:
        yield ("function", brace.name, brace.head_line, lines)
    elif brace.kind == "lambda":
        depth = 1 + sum(1 for b in stack if b.kind == "lambda")
        owner = next((b.name for b in reversed(stack) if b.kind == "function"), "")
        yield ("lambda", depth, brace.line, owner)
        if not in_function:
            yield ("function", "<lambda>", brace.line, lines)


# ---- Command line ---------------------------------------------------------------------------

def collect_files(root, paths):
    """Sorted (shown path, full path) pairs; raises FileNotFoundError for a missing path."""
    files = {}
    for p in paths:
        full = os.path.normpath(os.path.join(root, p))
        if os.path.isfile(full):
            files[p] = full
        elif os.path.isdir(full):
            for dirpath, dirnames, filenames in os.walk(full):
                dirnames.sort()
                for name in filenames:
                    if name.endswith(EXTENSIONS):
                        f = os.path.join(dirpath, name)
                        shown = os.path.normpath(os.path.join(p, os.path.relpath(f, full)))
                        files[shown] = f
        else:
            raise FileNotFoundError(p)
    return sorted((shown.replace(os.sep, "/"), f) for shown, f in files.items())


def check_file(path, shown, max_lines, max_depth):
    """The offender lines of one file, in line order, and its longest function."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = strip_code(f.read())
    offenders, longest = [], None
    for report in analyse(code):
        if report[0] == "function":
            _, name, line, lines = report
            if longest is None or lines > longest[2]:
                longest = (shown, name, lines, line)
            if lines > max_lines:
                offenders.append((line, "%s:%d: function %s is %d lines (max %d)"
                                  % (shown, line, name, lines, max_lines)))
        else:
            _, depth, line, owner = report
            if depth > max_depth:
                where = " in function %s" % owner if owner else ""
                offenders.append((line, "%s:%d: lambda nested %d deep%s (max %d)"
                                  % (shown, line, depth, where, max_depth)))
    offenders.sort()
    return [text for _, text in offenders], longest


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Functions are counted from their opening to their closing brace.")
    parser.add_argument("--max-function-lines", type=int, default=80, metavar="N")
    parser.add_argument("--max-lambda-depth", type=int, default=2, metavar="D")
    parser.add_argument("--root", default=".",
                        help="directory the paths are relative to (default: .)")
    parser.add_argument("paths", nargs="+", help="C++ files or directories")
    args = parser.parse_args(argv)
    try:
        files = collect_files(args.root, args.paths)
    except FileNotFoundError as e:
        print("code_shape: no such file or directory: %s" % e, file=sys.stderr)
        return 2
    offenders, longest = [], None
    for shown, path in files:
        found, file_longest = check_file(path, shown, args.max_function_lines,
                                         args.max_lambda_depth)
        offenders += found
        if file_longest and (longest is None or file_longest[2] > longest[2]):
            longest = file_longest
    for text in offenders:
        print(text)
    summary = "code_shape: %d files checked, %d offenders" % (len(files), len(offenders))
    if longest:
        summary += "; longest function %s (%s:%d), %d lines" % (
            longest[1], longest[0], longest[3], longest[2])
    print(summary)
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
