// How a command fails: the exit code (reliability.md §5.6) and what to print on
// stderr: `error: <one line>`, then indented details, then `hint: …` (ecosystem.md §3.2).
#pragma once
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ebb::cli {

enum Exit : int {
  kExitOk = 0,
  kExitRefused = 1,      // the server (or local validation, which mirrors it) said no
  kExitUsage = 2,        // bad flags, arguments, numbers
  kExitUnreachable = 3,  // no answer, or an answer that leaves the outcome unknown
};

struct CliError {
  int exit = kExitRefused;
  std::string message;               // one line
  std::vector<std::string> details;  // printed indented below
  std::string hint;
};

inline CliError usage_error(std::string message, std::string hint = "") {
  return CliError{kExitUsage, std::move(message), {}, std::move(hint)};
}

// A value or the error that ends the command.
template <class T>
class Outcome {
 public:
  Outcome(T v) : v_(std::move(v)) {}         // NOLINT(implicit)
  Outcome(CliError e) : v_(std::move(e)) {}  // NOLINT(implicit)
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const CliError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, CliError> v_;
};

// Prints `e` to stderr in the format above; returns e.exit.
int report(const CliError& e);

}  // namespace ebb::cli
