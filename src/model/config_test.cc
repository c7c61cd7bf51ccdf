#include "model/config.h"

#include <gtest/gtest.h>

#include "core/toml.h"

namespace prodgate::model {
namespace {

Result<Config> Parse(std::string_view toml) {
  Result<Json> doc = ParseToml(toml, "config.toml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return ParseConfig(*doc, "config.toml");
}

constexpr std::string_view kHead = R"toml(
format = "prodgate.config/1"
actions = ["apply"]
scopes = ["clone"]
)toml";

TEST(Config, ReadsGateRules) {
  Result<Config> c = Parse(std::string(kHead) + "[gates]\ng = [{ action = \"apply\" }]\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->GateHolds("g", "apply", "clone"));
}

// Found by fuzz/toml_config_fuzz.cc: a gate rule whose action or scope is not a string was
// reported, and then read anyway, which threw a nlohmann::json type_error out of ParseConfig.
TEST(Config, RefusesAGateRuleOfTheWrongTypeWithoutThrowing) {
  for (const char* rule : {"{ action = 1, scope = \"clone\" }",
                           "{ action = \"apply\", scope = [] }", "{ scope = true }"}) {
    Result<Config> c = Result<Config>(Status::Internal("threw"));
    EXPECT_NO_THROW(c = Parse(std::string(kHead) + "[gates]\ng = [" + rule + "]\n")) << rule;
    EXPECT_EQ(c.status().code(), StatusCode::kBadInput) << rule;
    EXPECT_NE(c.status().what().find("must be a string"), std::string::npos) << c.status().what();
  }
}

}  // namespace
}  // namespace prodgate::model
