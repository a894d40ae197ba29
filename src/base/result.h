// Result<T>: errors users can cause are values, not exceptions (ARCHITECTURE.md "Decided").
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/error.h"

namespace ebb {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}                 // NOLINT(implicit)
  Result(Error e) : v_(std::move(e)) {}             // NOLINT(implicit)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}             // NOLINT(implicit)
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *e_; }
  Error& error() { return *e_; }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

}  // namespace ebb

// Propagate an error: EBB_TRY(auto x, f());
#define EBB_CONCAT_(a, b) a##b
#define EBB_CONCAT(a, b) EBB_CONCAT_(a, b)
#define EBB_TRY_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                  \
  if (!tmp.ok()) return std::move(tmp.error()); \
  decl = std::move(tmp.value())
#define EBB_TRY(decl, expr) EBB_TRY_IMPL(EBB_CONCAT(ebb_try_, __LINE__), decl, expr)
#define EBB_CHECK(expr)                              \
  do {                                               \
    auto ebb_st_ = (expr);                           \
    if (!ebb_st_.ok()) return std::move(ebb_st_.error()); \
  } while (0)
