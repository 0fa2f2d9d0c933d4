// Fixture: lookalikes that must NOT be reported, plus two escaped uses.
// Comments may mention rand(), std::thread, time(nullptr) and std::uniform
/* Block comments too: std::mt19937 gen; sleep(1); clock();
   std::chrono::system_clock::now(); usleep(5); */
#include <string>

namespace fixture {

struct SimTime { long t; };
struct Clock { SimTime now() const { return {0}; } SimTime time() const { return {0}; } };
struct Sim { Clock clock() const { return {}; } };

const char* kMsg = "call rand() or std::thread here \" still a string: time(0)";
const char* kRaw = R"lint(raw: std::random_device rd; sleep(1); ")";
const char* kRaw2 = u8R"(std::async, "quoted" std::mutex)";
const char kQuote = '"';
const char kApos = '\'';
const long kBig = 1'000'000;

int operand(int x) { return x; }
int brand(int x) { return x; }
long runtime(long x) { return x; }
long lifetime(long x) { return x; }
long my_time(long x) { return x; }
long timeout(long x) { return x; }
int next_rand(int x) { return x; }

struct Stream {
  SimTime time() const;
  int random();
  static int rand(int x) { return x; }
};

SimTime Stream::time() const { return SimTime(operand(1)); }

long use(const Clock& c, const Clock* p, Sim sim, Stream random_stream) {
  long sleep_time = c.time().t + p->time().t + sim.clock().now().t;
  long random_seed = random_stream.random() + Stream::rand(2);
  SimTime t = SimTime(runtime(lifetime(my_time(timeout(brand(next_rand(3)))))));
  return sleep_time + random_seed + t.t + kBig + kQuote + kApos + kMsg[0] + kRaw[0] + kRaw2[0];
}

// Escaped uses: same-line form and previous-line form.
long seed() { return time(nullptr); }  // determinism-lint: allow(seed printed in the run header only)
// determinism-lint: allow(fixture: measures host build speed, never simulated state)
auto hostStart = std::chrono::steady_clock::now();

}  // namespace fixture
