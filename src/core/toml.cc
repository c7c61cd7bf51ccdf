#include "core/toml.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <sstream>

#include "core/file_io.h"

namespace prodgate {
namespace {

Json ToJson(const toml::node& node) {
  if (const auto* t = node.as_table()) {
    Json obj = Json::object();
    for (const auto& [k, v] : *t) obj[std::string(k.str())] = ToJson(v);
    return obj;
  }
  if (const auto* a = node.as_array()) {
    Json arr = Json::array();
    for (const auto& v : *a) arr.push_back(ToJson(v));
    return arr;
  }
  if (const auto* s = node.as_string()) return Json(s->get());
  if (const auto* i = node.as_integer()) return Json(i->get());
  if (const auto* f = node.as_floating_point()) return Json(f->get());
  if (const auto* b = node.as_boolean()) return Json(b->get());
  std::ostringstream text;  // date, time, date-time: their TOML spelling
  node.visit([&](const auto& v) { text << v; });
  return Json(text.str());
}

}  // namespace

Result<Json> ParseToml(std::string_view text, std::string_view name) {
  try {
    toml::table table = toml::parse(text, name);
    return ToJson(table);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::BadInput(
        fmt::format("{}:{}:{}: not valid TOML: {}", name, at.line, at.column, e.description()),
        "fix the syntax at that line");
  }
}

Result<Json> ReadTomlFile(const std::string& path) {
  PG_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{16} << 20));
  return ParseToml(text, path);
}

}  // namespace prodgate
