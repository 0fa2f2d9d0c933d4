#include "sim/inplace_function.h"
#include <utility>

#include <catch2/catch.hpp>
#include <memory>

using ebsim::sim::InplaceFunction;

namespace {
struct Counted {
  static inline int alive = 0;
  int* calls;
  explicit Counted(int* c) : calls(c) { ++alive; }
  Counted(Counted&& o) noexcept : calls(o.calls) { ++alive; }
  ~Counted() { --alive; }
  void operator()() const { ++*calls; }
};
}  // namespace

TEST_CASE("InplaceFunction stores, invokes, moves and destroys exactly once", "[inplace]") {
  int calls = 0;
  {
    InplaceFunction<void(), 40> f = Counted(&calls);
    CHECK(Counted::alive == 1);
    f();
    InplaceFunction<void(), 40> g(std::move(f));
    CHECK_FALSE(f);
    CHECK(g);
    CHECK(Counted::alive == 1);
    g();
    InplaceFunction<void(), 40> h;
    h = std::move(g);
    h();
    CHECK(Counted::alive == 1);
    h.emplace([&calls] { calls += 10; });
    CHECK(Counted::alive == 0);  // replaced content destroyed
    h();
  }
  CHECK(calls == 13);
  CHECK(Counted::alive == 0);
}

TEST_CASE("InplaceFunction returns values and takes arguments", "[inplace]") {
  InplaceFunction<int(int, int), 16> add = [](int a, int b) { return a + b; };
  CHECK(add(2, 3) == 5);
  auto owned = std::make_unique<int>(41);
  InplaceFunction<int(), 16> fromUnique = [p = std::move(owned)] { return *p + 1; };
  CHECK(fromUnique() == 42);
  InplaceFunction<int(), 16> empty;
  CHECK_FALSE(empty);
  empty.reset();  // harmless on an empty function
}

TEST_CASE("a void InplaceFunction accepts a callable that returns a value", "[inplace]") {
  int calls = 0;
  InplaceFunction<void(), 16> f = [&calls] { return ++calls; };
  f();
  CHECK(calls == 1);
}

TEST_CASE("reset clears the function before the callable's destructor runs", "[inplace]") {
  InplaceFunction<void(), 40>* self = nullptr;
  bool sawEmpty = false;
  struct Probe {
    InplaceFunction<void(), 40>** self;
    bool* sawEmpty;
    bool armed = true;
    Probe(InplaceFunction<void(), 40>** s, bool* e) : self(s), sawEmpty(e) {}
    Probe(Probe&& o) noexcept
        : self(o.self), sawEmpty(o.sawEmpty), armed(std::exchange(o.armed, false)) {}
    ~Probe() {
      if (armed && *self != nullptr) *sawEmpty = !static_cast<bool>(**self);
    }
    void operator()() const {}
  };
  InplaceFunction<void(), 40> f = Probe(&self, &sawEmpty);
  self = &f;
  f.reset();
  CHECK(sawEmpty);
}
