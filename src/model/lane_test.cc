// A lane projection of the wrong shape is refused as bad input, never thrown.
#include "model/lane.h"

#include <gtest/gtest.h>

namespace prodgate::model {
namespace {

TEST(LaneState, WrongTypesAreRefusedNotThrown) {
  for (const char* doc : {R"({"name":"L","authority":{}})", R"({"name":1,"authority":[]})",
                          R"({"name":"L","authority":[{"action":1,"scope":"clone"}]})",
                          R"({"name":"L","authority":[],"opened_seq":"3"})",
                          R"({"name":"L","authority":[],"close":[]})"}) {
    EXPECT_FALSE(LaneState::FromJson(Json::parse(doc)).ok()) << doc;
  }
  auto ok = LaneState::FromJson(Json::parse(
      R"({"name":"L","decision":"D","option":"O","authority":[{"action":"rehearse","scope":"clone"}],"opened_seq":3})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->Authorizes("rehearse", "clone"));
  EXPECT_FALSE(ok->Authorizes("apply", "clone"));
}

}  // namespace
}  // namespace prodgate::model
