// SPDX-License-Identifier: Apache-2.0
// Text that is usually empty (a zone's English name, its parent): one pointer, null when empty, instead of a 32-byte
// std::string — 2.4 MB for the two empty texts of 50,000 zones (bench/HISTORY.md "Round 17: memory at 50,000 zones,
// third part"). It reads as a const std::string& (empty when unset) wherever one is expected.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <utility>

namespace cohortgis::scenarios {

class SparseText {
 public:
  SparseText() = default;
  SparseText(std::string s) { assign(std::move(s)); }        // NOLINT(google-explicit-constructor): reads as a string
  SparseText(const char* s) : SparseText(std::string(s)) {}  // NOLINT(google-explicit-constructor)
  SparseText(const SparseText& o) : text_(o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr) {}
  SparseText(SparseText&&) noexcept = default;
  SparseText& operator=(const SparseText& o) {
    if (this != &o) text_ = o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr;
    return *this;
  }
  SparseText& operator=(SparseText&&) noexcept = default;
  SparseText& operator=(std::string s) {
    assign(std::move(s));
    return *this;
  }
  SparseText& operator=(const char* s) { return *this = std::string(s); }

  bool empty() const { return !text_; }
  const std::string& str() const { return text_ ? *text_ : empty_text(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)

  friend bool operator==(const SparseText& a, const SparseText& b) { return a.str() == b.str(); }
  // Exact overloads: through the converting constructor or str() either would be ambiguous.
  friend bool operator==(const SparseText& a, const std::string& b) { return a.str() == b; }
  friend bool operator==(const SparseText& a, const char* b) { return a.str() == b; }
  friend std::ostream& operator<<(std::ostream& os, const SparseText& t) { return os << t.str(); }

 private:
  static const std::string& empty_text() {
    static const std::string none;
    return none;
  }
  // An empty text holds nothing, so empty() and str() agree whichever way it was set.
  void assign(std::string s) { text_ = s.empty() ? nullptr : std::make_unique<std::string>(std::move(s)); }
  std::unique_ptr<std::string> text_;
};

}  // namespace cohortgis::scenarios
