#pragma once

// "Did you mean ...?" hints for names given by hand: fault point names (FaultRegistry::arm) and
// every key, enum value and reference of a scenario file (runner/scenario_parser.cc). One rule
// for both, so a typo gets the same hint wherever it is made.
//
// A word is a likely typo of a candidate when at most typoLimit(candidate) edits (insert, delete,
// substitute, swap two neighbours), ignoring ASCII case, turn one into the other.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ebsim::sim {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
// case, so "batchsize", "batch_szie" and "Batch_Size" are all close to "batch_size". Words over
// 64 characters are never close (SIZE_MAX): that bounds the work a hostile input can cause.
std::size_t typoDistance(std::string_view a, std::string_view b);

// How many edits still make a likely typo of `candidate`: a third of its length, 1 to 3; none
// but case for words under 3 characters ("v9" is not a typo of "v1").
std::size_t typoLimit(std::string_view candidate);

// Whether `word` is within typoLimit(candidate) edits of `candidate` (an equal word is).
bool isLikelyTypo(std::string_view word, std::string_view candidate);

// The candidate closest to `word`, if it is a likely typo of it; "" when none is. Ties go to
// the first candidate.
std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" for the closest match, or "" when there is none.
std::string didYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ebsim::sim
