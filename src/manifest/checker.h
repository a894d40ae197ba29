// Checker: the small toolkit every kind's validator uses to read fields strictly and
// collect every error with its field path ("spec.deadLetter.maxReceiveCount: must be
// between 1 and 1000, got 0"). Validators keep going after an error so the user sees
// all problems of a document at once.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ebb::manifest {

// "spec" + "deadLetter" → "spec.deadLetter"; keys with dots or slashes are bracketed:
// metadata.labels["app.kubernetes.io/name"].
std::string field_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

// Error lists travel as one message, one error per line.
std::string join_lines(const std::vector<std::string>& lines);

// "the number 123", "the boolean true", "null", "a list", "an object", "the string "x"".
std::string describe_value(const nlohmann::json& v);

class Checker {
 public:
  void error(std::string_view path, std::string_view message);
  void warn(std::string_view path, std::string_view message);
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // `v` must be an object whose keys are all in `known`; each unknown key is an error
  // ("spec.visibiltyTimeoutSeconds: unknown field"). False when `v` is not an object.
  bool object(const nlohmann::json& v, std::string_view path, std::initializer_list<std::string_view> known);

  // Typed members of `obj` (an object). Absent → nullopt without error; present with
  // the wrong type or out of range → error and nullopt. `required` makes absence an error.
  std::optional<int64_t> integer(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                 int64_t min, int64_t max, bool required = false);
  std::optional<bool> boolean(const nlohmann::json& obj, std::string_view key, std::string_view path,
                              bool required = false);
  std::optional<std::string> string(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                    bool required = false);
  std::optional<std::string> one_of(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                    std::initializer_list<std::string_view> values, bool required = false);

  // A value that must be a string (list items, map values). Error hints at quoting
  // when YAML turned an unquoted scalar into a number, boolean or null.
  std::optional<std::string> as_string(const nlohmann::json& v, std::string_view path);

 private:
  const nlohmann::json* member(const nlohmann::json& obj, std::string_view key, std::string_view path, bool required);

  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace ebb::manifest
