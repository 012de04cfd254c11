// The outcome of parsing peer input: either the parsed value or the reply that refuses it.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "gateway/smtp/reply.hpp"

namespace gateway::smtp {

template <typename T>
class ParseResult {
 public:
  ParseResult(T value) : outcome_(std::in_place_index<0>, std::move(value)) {}
  ParseResult(Reply refusal) : outcome_(std::in_place_index<1>, std::move(refusal)) {}

  bool ok() const { return outcome_.index() == 0; }

  const T& value() const {
    assert(ok());
    return std::get<0>(outcome_);
  }

  T& value() {
    assert(ok());
    return std::get<0>(outcome_);
  }

  // The reply the session sends instead of acting on the input.
  const Reply& refusal() const {
    assert(!ok());
    return std::get<1>(outcome_);
  }

 private:
  std::variant<T, Reply> outcome_;
};

}  // namespace gateway::smtp
