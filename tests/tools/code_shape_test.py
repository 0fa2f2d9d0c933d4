#!/usr/bin/env python3
"""Tests for tools/code_shape.py.

Each test writes a small C++ fixture into a temporary directory and runs the
checker on it as a subprocess, as CTest and a developer do.
Run as: python3 tests/tools/code_shape_test.py
"""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHAPE = os.path.join(REPO, "tools", "code_shape.py")


def body(lines):
    """`lines` statements, one per line."""
    return "".join("  x += %d;\n" % i for i in range(lines))


class CodeShapeTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return name

    def run_shape(self, *args, lines=80, depth=2):
        proc = subprocess.run(
            [sys.executable, SHAPE, "--max-function-lines", str(lines),
             "--max-lambda-depth", str(depth), "--root", self.root] + list(args),
            capture_output=True, encoding="utf-8")
        out = proc.stdout.splitlines()
        # The last line is the summary; the others are the offenders.
        return proc.returncode, out[:-1], (out[-1] if out else ""), proc.stderr

    def test_function_over_the_limit_is_reported_with_its_length(self):
        # The body spans 82 lines from `{` to `}`; the other function exactly 80.
        self.write("long.cc", "int tooLong(int x) {\n" + body(79) + "  return x;\n}\n\n"
                   "int justRight(int x)\n{\n" + body(78) + "}\n")
        code, offenders, summary, _ = self.run_shape("long.cc")
        self.assertEqual(code, 1)
        self.assertEqual(offenders, ["long.cc:1: function tooLong is 82 lines (max 80)"])
        self.assertIn("1 files checked, 1 offenders", summary)

    def test_clean_file_exits_zero_and_names_its_longest_function(self):
        self.write("ok.cc", """\
            namespace a::b {
            int f() { return 1; }
            int g() {
              return 2;
            }
            }  // namespace a::b
            """)
        code, offenders, summary, _ = self.run_shape("ok.cc")
        self.assertEqual((code, offenders), (0, []))
        self.assertIn("longest function g (ok.cc:3), 3 lines", summary)

    def test_lambda_depth_counts_lambdas_inside_lambdas(self):
        self.write("lambdas.cc", """\
            void f() {
              call([] {              // depth 1
                call([&](int x) {    // depth 2
                  call([x]() mutable -> int {  // depth 3
                    return x;
                  });
                });
              });
              auto g = [] { return 0; };
            }
            """)
        code, offenders, _, _ = self.run_shape("lambdas.cc")
        self.assertEqual(code, 1)
        self.assertEqual(offenders,
                         ["lambdas.cc:4: lambda nested 3 deep in function f (max 2)"])
        code, offenders, _, _ = self.run_shape("lambdas.cc", depth=3)
        self.assertEqual((code, offenders), (0, []))

    def test_control_blocks_and_initialisers_are_not_lambdas_or_functions(self):
        self.write("blocks.cc", """\
            struct Point { int x; int y; };
            const int kTable[2] = {1, 2};
            int f(int n) {
              int a[2]{3, 4};
              Point p{1, 2};
              if (n > 0) {
                for (int i = 0; i < n; ++i) {
                  while (n) { --n; }
                }
              } else {
                switch (n) {
                  case 1: {
                    break;
                  }
                }
              }
              do { ++n; } while (n < 0);
              try { throw 1; } catch (int) { }
              return a[0] + p.x + kTable[0];
            }
            """)
        code, offenders, summary, _ = self.run_shape("blocks.cc", lines=17, depth=0)
        self.assertEqual(code, 1)
        self.assertEqual(offenders, ["blocks.cc:3: function f is 18 lines (max 17)"])

    def test_comments_literals_and_digit_separators_hide_no_braces(self):
        self.write("literals.cc", r"""
            // A comment with { braces and a lambda [] { } in it.
            /* and a block comment
               } { [] { } */
            constexpr long kNanos = 10'000'000'000;
            constexpr long kHex = 0xFF'FF;
            const char* kText = "{ [] { \" } ";
            const char kOpen = '{';
            const char kQuote = '\'';
            const char* kRaw = R"json({"a": [] { }})json";
            int f() {
              long x = 1'000;
              char c = '}';
              return static_cast<int>(x + c + kNanos + kHex);
            }
            #define BLOCK(x) { x; }
            int g() { return 0; }
            """)
        code, offenders, summary, _ = self.run_shape("literals.cc", lines=4, depth=0)
        self.assertEqual(code, 1)
        self.assertEqual(offenders, ["literals.cc:11: function f is 5 lines (max 4)"])
        self.assertIn("longest function f (literals.cc:11), 5 lines", summary)

    def test_members_constructors_and_operators_are_named(self):
        self.write("members.h", """\
            namespace n {
            class Widget {
             public:
              explicit Widget(int size) : size_(size), data_{1, 2} {
                grow();
              }
              int& operator[](int i) {
                return data_[i];
              }
              int operator()(int a) const {
                return a;
              }
              struct Inner {
                void run() noexcept {
                  size();
                }
              };
             private:
              int size_;
              int data_[2];
            };
            auto Widget::size() const -> int {
              return size_;
            }
            template <typename T>
            std::function<void()> make(T t) {
              return [t] { use(t); };
            }
            }  // namespace n
            """)
        code, offenders, _, _ = self.run_shape("members.h", lines=1, depth=0)
        self.assertEqual(code, 1)
        self.assertEqual(offenders, [
            "members.h:4: function Widget::Widget is 3 lines (max 1)",
            "members.h:7: function Widget::operator[] is 3 lines (max 1)",
            "members.h:10: function Widget::operator() is 3 lines (max 1)",
            "members.h:14: function Widget::Inner::run is 3 lines (max 1)",
            "members.h:22: function Widget::size is 3 lines (max 1)",
            "members.h:25: function make is 3 lines (max 1)",
            "members.h:27: lambda nested 1 deep in function make (max 0)",
        ])

    def test_directories_are_searched_recursively(self):
        self.write("engine/a.cc", "void a() {\n" + body(3) + "}\n")
        self.write("engine/policies/b.h", "void b() {\n" + body(3) + "}\n")
        self.write("engine/notes.txt", "void c() {\n" + body(30) + "}\n")
        code, offenders, summary, _ = self.run_shape("engine", lines=2)
        self.assertEqual(code, 1)
        self.assertEqual(offenders, [
            "engine/a.cc:1: function a is 5 lines (max 2)",
            "engine/policies/b.h:1: function b is 5 lines (max 2)",
        ])
        self.assertIn("2 files checked", summary)

    def test_missing_path_is_a_usage_error(self):
        code, _, _, err = self.run_shape("nowhere")
        self.assertEqual(code, 2)
        self.assertIn("no such file or directory: nowhere", err)


if __name__ == "__main__":
    unittest.main()
