#include "sim/did_you_mean.h"

#include <algorithm>
#include <limits>

namespace ebsim::sim {

namespace {

constexpr std::size_t kFar = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kLongestWord = 64;

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::size_t lengthGap(std::string_view a, std::string_view b) {
  return a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
}

// typoDistance(word, candidate) when it is a likely typo, kFar otherwise. The length gap is a
// lower bound of the distance: checking it first skips the table for words far apart.
std::size_t distanceIfTypo(std::string_view word, std::string_view candidate) {
  const std::size_t limit = typoLimit(candidate);
  if (lengthGap(word, candidate) > limit) return kFar;
  const std::size_t distance = typoDistance(word, candidate);
  return distance <= limit ? distance : kFar;
}

}  // namespace

std::size_t typoDistance(std::string_view a, std::string_view b) {
  if (a.size() > kLongestWord || b.size() > kLongestWord) return kFar;
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lowerAscii(a[i - 1]) == lowerAscii(b[j - 1]) ? 0 : 1;
      std::size_t best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && lowerAscii(a[i - 1]) == lowerAscii(b[j - 2]) &&
          lowerAscii(a[i - 2]) == lowerAscii(b[j - 1])) {
        best = std::min(best, at(i - 2, j - 2) + 1);
      }
      at(i, j) = best;
    }
  }
  return at(n, m);
}

std::size_t typoLimit(std::string_view candidate) {
  return candidate.size() < 3 ? 0 : std::clamp<std::size_t>(candidate.size() / 3, 1, 3);
}

bool isLikelyTypo(std::string_view word, std::string_view candidate) {
  return distanceIfTypo(word, candidate) != kFar;
}

std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t bestDistance = kFar;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = distanceIfTypo(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string match = closestMatch(word, candidates);
  return match.empty() ? std::string() : "; did you mean '" + match + "'?";
}

}  // namespace ebsim::sim
