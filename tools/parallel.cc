#include "tools/parallel.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ebsim::tools {

void runParallel(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& one,
                 const char* what) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> failed{false};
  std::string firstError;
  std::mutex errorMutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < count && !failed; i = next++) {
      try {
        one(i);
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> lock(errorMutex);
        if (!failed.exchange(true)) firstError = e.what();
      }
      ++done;
    }
  };
  jobs = std::max(1u,
                  std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(1, count))));
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  const bool tty = what != nullptr && isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  while (tty && done < count && !failed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::size_t d = done;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = elapsed > 0 ? static_cast<double>(d) / elapsed : 0;
    const double left = rate > 0 ? static_cast<double>(count - d) / rate : 0;
    const int bar = count > 0 ? static_cast<int>(30.0 * static_cast<double>(d) / count) : 30;
    std::fprintf(stderr, "\r%s [%s%s] %zu/%zu  %.1f runs/s  %.0fs left   ", what,
                 std::string(static_cast<std::size_t>(bar), '=').c_str(),
                 std::string(static_cast<std::size_t>(30 - bar), ' ').c_str(), d, count, rate,
                 left);
    std::fflush(stderr);
  }
  for (auto& t : threads) t.join();
  if (tty) std::fprintf(stderr, "\r%s\r", std::string(80, ' ').c_str());
  if (failed) throw std::runtime_error(firstError);
}

}  // namespace ebsim::tools
