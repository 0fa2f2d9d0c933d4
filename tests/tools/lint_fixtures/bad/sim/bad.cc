// Fixture: exactly one violation per category; the test asserts the lines.
#include <chrono>
#include <random>

namespace fixture {

long wallClock() { return std::chrono::steady_clock::now().time_since_epoch().count(); }
void nap(unsigned us) { usleep(us); }
void spawn() { std::thread worker([] {}); worker.join(); }
int roll() { return rand() % 6; }
std::normal_distribution<double> jitter(0.0, 1.0);

}  // namespace fixture
