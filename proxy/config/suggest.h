#pragma once
// "Did you mean ...?" for misspelt keys and names.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levee::config::detail {

// The candidate nearest to word by edit distance (insertions, deletions, substitutions and
// swaps of adjacent letters, ignoring case), if it is near enough to be a likely typo: one
// edit for short words, two from four letters, three from ten. Ties go to the first candidate.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace levee::config::detail
