#include "model/decision.h"

#include <gtest/gtest.h>

#include "core/toml.h"

namespace prodgate::model {
namespace {

const Config& DefaultConfig() {
  static const Config config = [] {
    Result<Json> doc = ParseToml(DefaultConfigToml(), "default");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    Result<Config> c = ParseConfig(*doc, "default");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }();
  return config;
}

Result<DecisionSpec> Spec(std::string_view toml) {
  Result<Json> doc = ParseToml(toml, "decision.toml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return DecisionSpec::FromJson(*doc, DefaultConfig());
}

constexpr std::string_view kHold = R"toml(
id = "D-1"
[[options]]
id = "HOLD"
default = true
hold = true
)toml";

TEST(DecisionSpec, AcceptsAWellFormedSpec) {
  Result<DecisionSpec> d = Spec(std::string(kHold) + R"toml(
[[options]]
id = "GO"
grants = [{ action = "apply", scope = "clone", uses = 2, expires = "1h" }]
)toml");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->options.size(), 2u);
  EXPECT_TRUE(d->options[0].is_default);
  EXPECT_EQ(d->options[1].grants.at(0).uses, 2);
}

// Found by fuzz/decision_fuzz.cc: each of these threw a nlohmann::json type_error out of
// FromJson (`prodgate decision new` ended in std::terminate) instead of being refused.
TEST(DecisionSpec, RefusesFieldsOfTheWrongTypeWithoutThrowing) {
  const char* bad[] = {
      // "default" and "hold" that are not booleans
      "[[options]]\nid = \"A\"\ndefault = \"yes\"\n\n[[options]]\nid = \"B\"\n",
      "[[options]]\nid = \"A\"\ndefault = true\nhold = 1\n\n[[options]]\nid = \"B\"\n",
      // a grant that is not a table
      "[[options]]\nid = \"A\"\ndefault = true\nhold = true\n\n[[options]]\nid = \"B\"\n"
      "grants = [\"apply\"]\n",
      // uses that is not an integer
      "[[options]]\nid = \"A\"\ndefault = true\nhold = true\n\n[[options]]\nid = \"B\"\n"
      "grants = [{ action = \"apply\", scope = \"clone\", uses = \"2\" }]\n",
  };
  for (const char* toml : bad) {
    Result<DecisionSpec> d = Result<DecisionSpec>(Status::Internal("threw"));
    EXPECT_NO_THROW(d = Spec(std::string("id = \"D-1\"\n") + toml)) << toml;
    EXPECT_FALSE(d.ok()) << toml;
    EXPECT_EQ(d.status().code(), StatusCode::kBadInput) << toml;
  }
}

TEST(DecisionState, RefusesGrantsIssuedThatAreNotIds) {
  Result<DecisionSpec> spec = Spec(std::string(kHold) + "[[options]]\nid = \"GO\"\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  DecisionState s;
  s.spec = *spec;
  Json j = s.ToJson();
  j["grants_issued"] = Json::array({1});
  Result<DecisionState> back = Result<DecisionState>(Status::Internal("threw"));
  EXPECT_NO_THROW(back = DecisionState::FromJson(j, DefaultConfig()));
  EXPECT_EQ(back.status().code(), StatusCode::kBadInput);
  j["grants_issued"] = "abc";
  EXPECT_NO_THROW(back = DecisionState::FromJson(j, DefaultConfig()));
  EXPECT_EQ(back.status().code(), StatusCode::kBadInput);
}

}  // namespace
}  // namespace prodgate::model
