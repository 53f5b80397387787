// Lets doctest print std::string_view operands of failed checks (doctest 2.4 cannot).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace doctest {
template <>
struct StringMaker<std::string_view> {
  static String convert(std::string_view value) { return String(std::string(value).c_str()); }
};
}  // namespace doctest
