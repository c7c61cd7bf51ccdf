// Reads fields of a TOML spec (as JSON, core/toml.h) and records every problem instead of
// stopping at the first, so a user fixes a spec in one pass. Shared by the schema spec and
// the surrogate spec.
#pragma once

#include <fmt/format.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"

namespace prodgate::clone {

class SpecReader {
 public:
  explicit SpecReader(std::string name) : name_(std::move(name)) {}

  void Problem(std::string where, std::string what) {
    problems_.push_back(fmt::format("{}: {}", where, what));
  }

  // Records every key of `obj` not in `known`.
  void AllowOnly(const Json& obj, const std::string& where,
                 std::initializer_list<std::string_view> known) {
    for (const auto& [k, v] : obj.items()) {
      bool ok = false;
      for (auto n : known) ok |= (k == n);
      if (!ok) Problem(where, fmt::format("unknown key \"{}\"", k));
    }
  }

  std::optional<std::string> String(const Json& obj, const std::string& where, const char* key,
                                    bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(where, fmt::format("missing \"{}\"", key));
      return std::nullopt;
    }
    if (!it->is_string()) {
      Problem(where, fmt::format("\"{}\" must be a string", key));
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<bool> Bool(const Json& obj, const std::string& where, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_boolean()) {
      Problem(where, fmt::format("\"{}\" must be true or false", key));
      return std::nullopt;
    }
    return it->get<bool>();
  }

  std::optional<int64_t> Integer(const Json& obj, const std::string& where, const char* key,
                                 bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(where, fmt::format("missing \"{}\"", key));
      return std::nullopt;
    }
    if (!it->is_number_integer()) {
      Problem(where, fmt::format("\"{}\" must be an integer", key));
      return std::nullopt;
    }
    return it->get<int64_t>();
  }

  std::optional<double> Number(const Json& obj, const std::string& where, const char* key,
                               bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(where, fmt::format("missing \"{}\"", key));
      return std::nullopt;
    }
    if (!it->is_number()) {
      Problem(where, fmt::format("\"{}\" must be a number", key));
      return std::nullopt;
    }
    return it->get<double>();
  }

  // A string or a list of strings.
  std::optional<std::vector<std::string>> Strings(const Json& obj, const std::string& where,
                                                  const char* key, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(where, fmt::format("missing \"{}\"", key));
      return std::nullopt;
    }
    if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
    if (!it->is_array()) {
      Problem(where, fmt::format("\"{}\" must be a string or a list of strings", key));
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& e : *it) {
      if (!e.is_string()) {
        Problem(where, fmt::format("\"{}\" must hold only strings", key));
        return std::nullopt;
      }
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  // The array of tables `key` (TOML [[key]]); missing is an empty list when not required.
  std::vector<const Json*> Tables(const Json& obj, const std::string& where, const char* key,
                                  bool required) {
    std::vector<const Json*> out;
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) Problem(where, fmt::format("missing [[{}]]", key));
      return out;
    }
    if (!it->is_array()) {
      Problem(where, fmt::format("\"{}\" must be an array of tables ([[{}]])", key, key));
      return out;
    }
    for (const auto& e : *it) {
      if (!e.is_object()) {
        Problem(where, fmt::format("every [[{}]] entry must be a table", key));
        continue;
      }
      out.push_back(&e);
    }
    return out;
  }

  // Ok, or one BadInput listing every problem.
  Status Done() const {
    if (problems_.empty()) return Status::Ok();
    std::string list;
    for (const auto& p : problems_) list += "\n  " + p;
    return Status::BadInput(fmt::format("{}: {} problem{}:{}", name_, problems_.size(),
                                        problems_.size() == 1 ? "" : "s", list),
                            "fix the spec (docs/clone.md describes the format)");
  }

 private:
  std::string name_;
  std::vector<std::string> problems_;
};

}  // namespace prodgate::clone
