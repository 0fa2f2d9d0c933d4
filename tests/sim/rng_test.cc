#include "sim/rng.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using ebsim::sim::Duration;
using ebsim::sim::Rng;
using ebsim::sim::SplitMix64;

// Known answers. The expected values come from an independent Python implementation of the
// same algorithms (exact integer arithmetic; IEEE doubles for the distributions), so these
// pins hold the code to the algorithm, not merely to its own past output. SplitMix64 matches
// the reference sequence published with the algorithm for seed 1234567.
TEST_CASE("SplitMix64 known answers", "[rng]") {
  SplitMix64 sm(1234567);
  CHECK(sm.next() == 0x599ed017fb08fc85ULL);  // 6457827717110365317
  CHECK(sm.next() == 0x2c73f08458540fa5ULL);
  CHECK(sm.next() == 0x883ebce5a3f27c77ULL);
  CHECK(sm.next() == 0x3fbef740e9177b3fULL);
  CHECK(sm.next() == 0xe3b8346708cb5ecdULL);
  CHECK(ebsim::sim::fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(ebsim::sim::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
}

TEST_CASE("xoshiro256** root and stream known answers", "[rng]") {
  Rng root(42);
  CHECK(root.nextU64() == 0x15780b2e0c2ec716ULL);
  CHECK(root.nextU64() == 0x6104d9866d113a7eULL);
  CHECK(root.nextU64() == 0xae17533239e499a1ULL);
  CHECK(root.nextU64() == 0xecb8ad4703b360a1ULL);
  CHECK(root.nextU64() == 0xfde6dc7fe2ec5e64ULL);

  Rng boot = Rng(42).stream("ec2/boot-time");
  CHECK(boot.nextU64() == 0x46bb86774f95a7beULL);
  CHECK(boot.nextU64() == 0x137158ad39272c81ULL);
  CHECK(boot.nextU64() == 0x85d888769e4ece45ULL);

  Rng nested = Rng(7).stream("ec2").stream("boot");
  CHECK(nested.nextU64() == 0x4f4db3ab4bd9ba97ULL);
  CHECK(nested.nextU64() == 0x0889926554443dbfULL);
}

TEST_CASE("distribution known answers (bit-exact)", "[rng]") {
  Rng u(42);
  CHECK(u.uniform01() == 0x1.5780b2e0c2ec0p-4);
  CHECK(u.uniform01() == 0x1.84136619b444ep-2);
  CHECK(u.uniform01() == 0x1.5c2ea66473c93p-1);

  Rng e = Rng(99).stream("exp");
  CHECK(e.exponential(2.0) == 0x1.d21617f95aa5ap+2);
  CHECK(e.exponential(2.0) == 0x1.7e252f447c37fp+2);
  CHECK(e.exponential(2.0) == 0x1.ead17ae783128p-2);
  CHECK(e.exponential(2.0) == 0x1.51a7f455828a7p-3);

  Rng n = Rng(5).stream("n");
  CHECK(n.normal(10, 3) == 0x1.29e381afc8d4fp+3);
  CHECK(n.normal(10, 3) == 0x1.9e2208d160abep+3);
  CHECK(n.normal(10, 3) == 0x1.246144fbd3fe2p+2);
  CHECK(n.normal(10, 3) == 0x1.252878558a10ep+3);
}

TEST_CASE("streams are independent: adding one never shifts another", "[rng]") {
  auto firstDraws = [](Rng r) {
    std::array<std::uint64_t, 8> out{};
    for (auto& v : out) v = r.nextU64();
    return out;
  };
  Rng rootA(2026);
  const auto alone = firstDraws(rootA.stream("elb/health"));

  Rng rootB(2026);
  Rng other = rootB.stream("ec2/boot-time");       // a new component...
  for (int i = 0; i < 1000; ++i) other.nextU64();  // ...drawing a lot
  rootB.nextU64();                                 // and the root itself drawing
  CHECK(firstDraws(rootB.stream("elb/health")) == alone);

  CHECK(firstDraws(Rng(2026).stream("elb/healthy")) != alone);  // names matter
  CHECK(firstDraws(Rng(2027).stream("elb/health")) != alone);   // seeds matter
  CHECK(firstDraws(Rng(2026).stream("a").stream("b")) !=
        firstDraws(Rng(2026).stream("b").stream("a")));
  CHECK(Rng(2026).stream("x").key() != Rng(2026).key());
}

TEST_CASE("uniformInt is within bounds, unbiased, and handles the full range", "[rng]") {
  Rng r(8);
  std::array<int, 7> counts{};
  const int n = 700'000;
  for (int i = 0; i < n; ++i) {
    const auto v = r.uniformInt(-3, 3);
    REQUIRE(v >= -3);
    REQUIRE(v <= 3);
    ++counts[static_cast<std::size_t>(v + 3)];
  }
  // Chi-square with 6 degrees of freedom; 22.46 is the 0.999 quantile.
  double chi2 = 0;
  for (const int c : counts) chi2 += (c - n / 7.0) * (c - n / 7.0) / (n / 7.0);
  CHECK(chi2 < 22.46);

  CHECK(r.uniformInt(5, 5) == 5);
  const auto full = r.uniformInt(INT64_MIN, INT64_MAX);  // must not divide by zero
  (void)full;
  CHECK_THROWS_AS(r.uniformInt(2, 1), std::invalid_argument);
  CHECK_THROWS_AS(r.index(0), std::invalid_argument);
  for (int i = 0; i < 1000; ++i) REQUIRE(r.index(3) < 3);
}

namespace {
struct Moments {
  double mean = 0;
  double variance = 0;
};
template <typename Draw>
Moments moments(int n, Draw draw) {
  double sum = 0;
  double sumSq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sumSq += x * x;
  }
  const double mean = sum / n;
  return {mean, sumSq / n - mean * mean};
}
}  // namespace

TEST_CASE("distribution moments are right", "[rng]") {
  Rng r = Rng(77).stream("moments");
  const int n = 400'000;

  const Moments u = moments(n, [&] { return r.uniform01(); });
  CHECK(u.mean == Approx(0.5).margin(0.003));
  CHECK(u.variance == Approx(1.0 / 12).margin(0.002));

  const Moments e = moments(n, [&] { return r.exponential(90.0); });
  CHECK(e.mean == Approx(90.0).epsilon(0.01));
  CHECK(std::sqrt(e.variance) == Approx(90.0).epsilon(0.02));

  const Moments g = moments(n, [&] { return r.normal(100.0, 15.0); });
  CHECK(g.mean == Approx(100.0).margin(0.1));
  CHECK(std::sqrt(g.variance) == Approx(15.0).epsilon(0.01));

  // Log-normal: median e^mu, mean e^(mu + sigma^2 / 2).
  std::vector<double> ln(static_cast<std::size_t>(n));
  for (double& x : ln) x = r.lognormal(90.0, 0.3);
  double lnMean = 0;
  for (const double x : ln) lnMean += x;
  lnMean /= n;
  std::nth_element(ln.begin(), ln.begin() + n / 2, ln.end());
  CHECK(ln[static_cast<std::size_t>(n / 2)] == Approx(90.0).epsilon(0.01));
  CHECK(lnMean == Approx(90.0 * std::exp(0.045)).epsilon(0.01));

  const Moments b = moments(n, [&] { return r.bernoulli(0.2) ? 1.0 : 0.0; });
  CHECK(b.mean == Approx(0.2).margin(0.003));
}

TEST_CASE("bernoulli edges and weighted choice", "[rng]") {
  Rng r(9);
  Rng untouched(9);
  CHECK_FALSE(r.bernoulli(0.0));
  CHECK(r.bernoulli(1.0));
  CHECK(r.nextU64() == untouched.nextU64());  // the sure cases consumed no draw

  const std::array<double, 4> weights{1.0, 0.0, 3.0, 6.0};
  std::array<int, 4> counts{};
  for (int i = 0; i < 100'000; ++i) ++counts[r.weightedIndex(weights)];
  CHECK(counts[1] == 0);
  CHECK(counts[0] / 1e5 == Approx(0.1).margin(0.005));
  CHECK(counts[2] / 1e5 == Approx(0.3).margin(0.005));
  CHECK(counts[3] / 1e5 == Approx(0.6).margin(0.005));
  CHECK_THROWS_AS(r.weightedIndex(std::array<double, 2>{0.0, 0.0}), std::invalid_argument);
  CHECK_THROWS_AS(r.weightedIndex(std::array<double, 2>{1.0, -1.0}), std::invalid_argument);

  const std::array<int, 3> items{10, 20, 30};
  for (int i = 0; i < 100; ++i) {
    const int v = r.choice(std::span<const int>(items));
    REQUIRE((v == 10 || v == 20 || v == 30));
  }
  CHECK_THROWS_AS(r.exponential(0.0), std::invalid_argument);
  CHECK_THROWS_AS(r.lognormal(-1.0, 0.3), std::invalid_argument);
}

TEST_CASE("duration draws", "[rng]") {
  Rng r(10);
  for (int i = 0; i < 1000; ++i) {
    const Duration d = r.uniform(Duration::seconds(60), Duration::seconds(120));
    REQUIRE(d >= Duration::seconds(60));
    REQUIRE(d <= Duration::seconds(120));
  }
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) sum += r.exponential(Duration::seconds(30)).toSecondsF();
  CHECK(sum / 100'000 == Approx(30.0).epsilon(0.02));
  CHECK(r.lognormal(Duration::seconds(90), 0.0) == Duration::seconds(90));
}
