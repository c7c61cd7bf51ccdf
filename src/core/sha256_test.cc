#include "core/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace prodgate {
namespace {

// FIPS 180-2 Appendix B test vectors.
TEST(CoreSha256, Fips180EmptyMessage) {
  EXPECT_EQ(ToHex(Sha256Of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CoreSha256, Fips180OneBlockMessage) {
  EXPECT_EQ(ToHex(Sha256Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CoreSha256, Fips180MultiBlockMessage) {
  EXPECT_EQ(ToHex(Sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(CoreSha256, Fips180OneMillionA) {
  const std::string a(1000000, 'a');
  const char* kExpected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(ToHex(Sha256Of(a)), kExpected);
  // The same million bytes fed in uneven pieces.
  Sha256 h;
  size_t off = 0;
  for (size_t step = 1; off < a.size(); step = step * 7 % 10007 + 1) {
    size_t n = std::min(step, a.size() - off);
    h.Update(std::string_view(a).substr(off, n));
    off += n;
  }
  EXPECT_EQ(ToHex(h.Finish()), kExpected);
}

// Deterministic bytes of every value, spanning several 64-byte blocks.
std::string TestMessage(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return s;
}

TEST(CoreSha256, IncrementalEqualsOneShotAtEverySplit) {
  const std::string msg = TestMessage(200);
  const Digest expected = Sha256Of(msg);
  const std::string_view v(msg);
  for (size_t i = 0; i <= v.size(); ++i) {
    for (size_t j = i; j <= v.size(); j += 7) {
      Sha256 h;
      h.Update(v.substr(0, i));
      h.Update(v.substr(i, j - i));
      h.Update(v.substr(j));
      ASSERT_EQ(h.Finish(), expected) << "split at " << i << " and " << j;
    }
  }
}

TEST(CoreSha256, ByteAtATimeAndSpanOverload) {
  const std::string msg = TestMessage(300);
  Sha256 h;
  for (char c : msg) {
    const uint8_t byte = static_cast<uint8_t>(c);
    h.Update(std::span<const uint8_t>(&byte, 1));
    h.Update(std::span<const uint8_t>());  // empty updates change nothing
  }
  EXPECT_EQ(h.Finish(), Sha256Of(msg));
  // Distinct messages give distinct digests (the helper does not ignore its input).
  EXPECT_NE(Sha256Of(msg), Sha256Of(msg.substr(1)));
}

TEST(CoreSha256, CopyForksTheRunningState) {
  Sha256 a;
  a.Update("ab");
  Sha256 b(a);
  Sha256 c(a);
  a.Update("c");
  b.Update("d");
  EXPECT_EQ(a.Finish(), Sha256Of("abc"));
  EXPECT_EQ(b.Finish(), Sha256Of("abd"));
  EXPECT_EQ(c.Finish(), Sha256Of("ab"));  // the copy did not see later updates
}

TEST(CoreSha256, CopyAcrossBlockBoundary) {
  const std::string msg = TestMessage(150);
  Sha256 a;
  a.Update(std::string_view(msg).substr(0, 100));  // one full block plus 36 bytes buffered
  Sha256 b(a);
  a.Update(std::string_view(msg).substr(100));
  EXPECT_EQ(a.Finish(), Sha256Of(msg));
  EXPECT_EQ(b.Finish(), Sha256Of(msg.substr(0, 100)));
}

TEST(CoreSha256, HexRoundTrip) {
  Digest d;
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 8 + 7);
  const std::string hex = ToHex(d);
  EXPECT_EQ(hex, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
  auto back = DigestFromHex(hex);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, d);

  auto abc = DigestFromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ASSERT_TRUE(abc.has_value());
  EXPECT_EQ(*abc, Sha256Of("abc"));

  // Every hex digit decodes to its value.
  auto digits = DigestFromHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(digits.has_value());
  EXPECT_EQ((*digits)[0], 0x01);
  EXPECT_EQ((*digits)[5], 0xab);
  EXPECT_EQ((*digits)[7], 0xef);
}

TEST(CoreSha256, DigestFromHexRefusesMalformedInput) {
  const std::string good = ToHex(Sha256Of("abc"));
  ASSERT_TRUE(DigestFromHex(good).has_value());
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string kBad[] = {
      "",
      upper,
      good.substr(0, 63),                                           // short
      good.substr(0, 62),                                           // short by one byte
      good + "0",                                                   // long
      good + "\n",                                                  // trailing newline
      "0x" + good.substr(2),                                        // prefix
      good.substr(0, 63) + "g",                                     // non-hex letter
      good.substr(0, 63) + "F",                                     // one uppercase digit
      " " + good.substr(1),                                         // space
      good.substr(0, 32) + std::string(1, '\0') + good.substr(33),  // NUL
      good.substr(0, 10) + "-" + good.substr(11),
  };
  for (const std::string& hex : kBad) {
    EXPECT_FALSE(DigestFromHex(hex).has_value()) << "accepted \"" << hex << "\"";
  }
}

}  // namespace
}  // namespace prodgate
