// Replaces the global operator new and delete to count heap allocations (counting_new.h).

#include "counting_new.h"

#include <cstdlib>
#include <new>

namespace ebsim::test {
long long gAllocations = 0;
}  // namespace ebsim::test

using ebsim::test::gAllocations;

// Every non-aligned replaceable form is replaced, all on malloc/free, so that no allocation
// made by one family is released by another (AddressSanitizer checks that pairing).
// noinline: otherwise GCC inlines free() next to a visible `new` and warns (falsely) about a
// mismatched deallocation under -Werror in optimised sanitizer builds.
namespace {
[[gnu::noinline]] void* countedAlloc(std::size_t size) noexcept {
  ++gAllocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  if (void* p = countedAlloc(size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) {
  if (void* p = countedAlloc(size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return countedAlloc(size);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
