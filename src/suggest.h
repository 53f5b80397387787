// "Did you mean …?" for misspelt names in config and input.
#pragma once

#include <string>
#include <vector>

namespace edgefuse {

// The closest candidate within a small edit distance, or "" when none is close.
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

// "did you mean X?" for the closest candidate, else `otherwise`.
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates,
                       const std::string& otherwise = "");

}  // namespace edgefuse
