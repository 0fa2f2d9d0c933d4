#include "sim/det_math.h"

#include "sim/fp_guard.h"

#include <cmath>
#include <limits>

namespace ebsim::sim {

namespace {
// ln(2) split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;
constexpr double kExpOverflow = 709.782712893383973096;
constexpr double kExpUnderflow = -745.133219101941108420;
}  // namespace

double detLog(double x) {
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;

  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1), exact
  if (m < kSqrtHalf) {
    m *= 2.0;  // exact
    --e;
  }
  // m in [sqrt(1/2), sqrt(2)): log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| < 0.1716.
  const double s = (m - 1.0) / (m + 1.0);  // m - 1 is exact (Sterbenz)
  const double s2 = s * s;
  // sum_{k=1..12} s2^(k-1) / (2k+1), Horner form; the next term is below 1e-20.
  double p = 1.0 / 25.0;
  p = 1.0 / 23.0 + s2 * p;
  p = 1.0 / 21.0 + s2 * p;
  p = 1.0 / 19.0 + s2 * p;
  p = 1.0 / 17.0 + s2 * p;
  p = 1.0 / 15.0 + s2 * p;
  p = 1.0 / 13.0 + s2 * p;
  p = 1.0 / 11.0 + s2 * p;
  p = 1.0 / 9.0 + s2 * p;
  p = 1.0 / 7.0 + s2 * p;
  p = 1.0 / 5.0 + s2 * p;
  p = 1.0 / 3.0 + s2 * p;
  const double logm = 2.0 * s + 2.0 * s * s2 * p;
  const double k = static_cast<double>(e);
  return k * kLn2Hi + (logm + k * kLn2Lo);
}

double detExp(double x) {
  if (std::isnan(x)) return x;
  if (x > kExpOverflow) return std::numeric_limits<double>::infinity();
  if (x < kExpUnderflow) return 0.0;

  // x = k ln2 + r with |r| <= ln2 / 2.
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // Taylor series of e^r to r^17 / 17!, Horner form; the remainder is below 1e-20.
  double p = 1.0 / 355687428096000.0;  // 1/17!
  p = 1.0 / 20922789888000.0 + r * p;  // 1/16!
  p = 1.0 / 1307674368000.0 + r * p;   // 1/15!
  p = 1.0 / 87178291200.0 + r * p;     // 1/14!
  p = 1.0 / 6227020800.0 + r * p;      // 1/13!
  p = 1.0 / 479001600.0 + r * p;       // 1/12!
  p = 1.0 / 39916800.0 + r * p;        // 1/11!
  p = 1.0 / 3628800.0 + r * p;         // 1/10!
  p = 1.0 / 362880.0 + r * p;          // 1/9!
  p = 1.0 / 40320.0 + r * p;           // 1/8!
  p = 1.0 / 5040.0 + r * p;            // 1/7!
  p = 1.0 / 720.0 + r * p;             // 1/6!
  p = 1.0 / 120.0 + r * p;             // 1/5!
  p = 1.0 / 24.0 + r * p;              // 1/4!
  p = 1.0 / 6.0 + r * p;               // 1/3!
  p = 0.5 + r * p;                     // 1/2!
  p = 1.0 + r * p;
  p = 1.0 + r * p;
  return std::ldexp(p, static_cast<int>(k));  // exact scaling (single rounding if subnormal)
}

}  // namespace ebsim::sim
