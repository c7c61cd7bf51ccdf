#include "model/grant.h"

#include <gtest/gtest.h>

namespace prodgate::model {
namespace {

Json ValidState() {
  GrantState g;
  g.terms.action = "apply";
  g.terms.scope = "clone";
  g.terms.not_before = "2026-06-12T00:00:00Z";
  g.terms.expires = "2026-06-13T00:00:00Z";
  g.terms.nonce = "00";
  g.terms.issued_at = "2026-06-12T00:00:00Z";
  g.id = *g.terms.Id();
  g.signatures.push_back({"ed25519:k", "sig"});
  g.events = {5};
  return g.ToJson();
}

TEST(GrantState, RoundTrips) {
  Result<GrantState> g = GrantState::FromJson(ValidState());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->ToJson(), ValidState());
}

// Found by fuzz/grant_fuzz.cc: optional fields of the wrong type threw a nlohmann::json
// type_error out of FromJson instead of being refused.
TEST(GrantState, RefusesOptionalFieldsOfTheWrongTypeWithoutThrowing) {
  const std::pair<const char*, Json> bad[] = {
      {"revoked", Json(1)},    {"revoked_by", Json(false)},
      {"revoked_at", Json(1)}, {"revoke_reason", Json::array()},
      {"used", Json("1")},     {"used", Json(1.5)},
      {"events", Json("5")},   {"events", Json::array({1, "x"})},
  };
  for (const auto& [field, value] : bad) {
    Json j = ValidState();
    j[field] = value;
    Result<GrantState> g = Result<GrantState>(Status::Internal("threw"));
    EXPECT_NO_THROW(g = GrantState::FromJson(j)) << field << " = " << value.dump();
    EXPECT_EQ(g.status().code(), StatusCode::kBadInput) << field << " = " << value.dump();
  }
}

}  // namespace
}  // namespace prodgate::model
