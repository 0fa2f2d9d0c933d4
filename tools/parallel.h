#pragma once

// Independent scenario runs in parallel, for `ebsim compare` and `ebsim sweep` (and the sweep
// benchmark). Threads live here, in tools/, never in sim/, emulators/ or engine/: each run is
// single-threaded and shares nothing, so results do not depend on the job count.

#include <cstddef>
#include <functional>

namespace ebsim::tools {

// Calls `one(i)` for every i in [0, count) on `jobs` threads (at least 1, at most count).
// Results are the caller's, by index. With `what` set and stderr a terminal, shows a progress
// bar labelled `what`. The first exception a run throws stops the others from starting and is
// rethrown (as std::runtime_error) once all threads have finished.
void runParallel(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& one,
                 const char* what = nullptr);

}  // namespace ebsim::tools
