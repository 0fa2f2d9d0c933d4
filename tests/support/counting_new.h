#pragma once

// Heap allocations counted by tests/support/counting_new.cc, which replaces the global operator
// new (every non-aligned form) for the whole executable: link it only into a test executable of
// its own (tests/CMakeLists.txt), never into a library.

namespace ebsim::test {

extern long long gAllocations;  // every operator new since the start of the process

}  // namespace ebsim::test
