// Public-key documents of the wrong shape are refused as bad input, never thrown (found by
// fuzz/: a wrong-typed field used to end the process).
#include <gtest/gtest.h>

#include "authority/trust.h"
#include "core/file_io.h"
#include "tests/test_util.h"

namespace prodgate::authority {
namespace {

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
