// Fixture: one forbidden form per marked line.  The test parses the
// "expect: <category>" markers and requires exactly these reports.
#include <thread>  // expect: threads
#include <future>  // expect: threads
#include <pthread.h>  // expect: threads

auto a = std::chrono::system_clock::now();  // expect: wall clock
auto b = high_resolution_clock::now();  // expect: wall clock
auto c = chrono::steady_clock::now();  // expect: wall clock
long d = time(nullptr);  // expect: wall clock
long e = std::time(nullptr);  // expect: wall clock
long f = ::time(0);  // expect: wall clock
long g = clock();  // expect: wall clock
long h = std::clock();  // expect: wall clock
int i = gettimeofday(&tv, nullptr);  // expect: wall clock
int j = clock_gettime(CLOCK_MONOTONIC, &ts);  // expect: wall clock
tm* k = localtime(&now);  // expect: wall clock
tm* l = gmtime(&now);  // expect: wall clock
int m = timespec_get(&ts, TIME_UTC);  // expect: wall clock
long n() { return time(0); }  // expect: wall clock

void s1() { std::this_thread::sleep_for(ms); }  // expect: sleep
void s2() { std::this_thread::sleep_until(t); }  // expect: sleep
void s3() { nanosleep(&ts, nullptr); }  // expect: sleep
void s4() { sleep(1); }  // expect: sleep
void s5() { ::sleep(1); }  // expect: sleep

std::jthread t1;  // expect: threads
auto t2 = std::async(work);  // expect: threads
std::mutex t3;  // expect: threads
std::recursive_mutex t4;  // expect: threads
std::condition_variable t5;  // expect: threads
std::atomic<int> t6{0};  // expect: threads
pthread_t t7;  // expect: threads

std::random_device r1;  // expect: randomness
void r2() { srand(42); }  // expect: randomness
int r3 = rand_r(&seed);  // expect: randomness
long r4 = random();  // expect: randomness
double r5 = drand48();  // expect: randomness
std::mt19937 r6(1);  // expect: randomness
std::mt19937_64 r7(1);  // expect: randomness
mt19937_64 r8(1);  // expect: randomness
std::default_random_engine r9;  // expect: randomness
std::minstd_rand r10;  // expect: randomness
int r11 = std::rand();  // expect: randomness

std::uniform_int_distribution<int> d1(0, 9);  // expect: distribution
uniform_real_distribution<double> d2;  // expect: distribution
std::bernoulli_distribution d3(0.5);  // expect: distribution
std::my_custom_distribution d4;  // expect: distribution
poisson_distribution<int> d5(4.0);  // expect: distribution

// Project names that merely resemble the above are fine.
sim::latency_distribution ok1;
SimTime time() const;
const SimTime& clock() const;
uint64_t random();
