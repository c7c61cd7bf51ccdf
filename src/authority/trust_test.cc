// Trust and public-key documents of the wrong shape are refused as bad input, never thrown
// (found by fuzz/: a wrong-typed field used to end the process).
#include <gtest/gtest.h>

#include "authority/trust.h"
#include "core/file_io.h"
#include "tests/test_util.h"

namespace prodgate::authority {
namespace {

TEST(TrustDocument, WrongTypesAreRefusedNotThrown) {
  for (const char* doc :
       {R"({"format":1,"keys":[]})", R"({"format":"prodgate.trust/1","keys":[{"id":1}]})",
        R"({"format":"prodgate.trust/1","keys":[{"id":"a","role":["owner"]}]})",
        R"({"format":"prodgate.trust/1","keys":[7]})"}) {
    auto t = Trust::FromJson(Json::parse(doc));
    EXPECT_FALSE(t.ok()) << doc;
  }
  // Control: an empty, well-formed document is accepted.
  EXPECT_TRUE(Trust::FromJson(Json::parse(R"({"format":"prodgate.trust/1","keys":[]})")).ok());
}

TEST(PublicKeyDocument, WrongTypesAreRefusedNotThrown) {
  testing::ScratchDir dir;
  for (const char* doc :
       {R"({"format":1})", R"({"format":"prodgate.key/1","role":7})",
        R"({"format":"prodgate.key/1","name":"a","role":"owner","public_key":[]})"}) {
    std::string path = dir / "k.pub.json";
    ASSERT_TRUE(WriteFileAtomic(path, doc, 0644).ok());
    auto k = ReadPublicKeyDocument(path);
    EXPECT_FALSE(k.ok()) << doc;
    EXPECT_EQ(k.status().code(), StatusCode::kBadInput) << doc;
  }
}

}  // namespace
}  // namespace prodgate::authority
