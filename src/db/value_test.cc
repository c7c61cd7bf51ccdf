#include "db/value.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>

namespace prodgate::db {
namespace {

std::string Enc(const ValueRef& v) {
  std::string s;
  AppendValue(s, v);
  return s;
}

TEST(ValueEncoding, TagsAndLengths) {
  EXPECT_EQ(Enc(ValueRef::Null()), "N");
  EXPECT_EQ(Enc(ValueRef::Integer(1)), std::string("I\0\0\0\0\0\0\0\x01", 9));
  EXPECT_EQ(Enc(ValueRef::Integer(-1)), std::string("I\xff\xff\xff\xff\xff\xff\xff\xff", 9));
  EXPECT_EQ(Enc(ValueRef::Real(1.0)), std::string("F\x3f\xf0\0\0\0\0\0\0", 9));
  EXPECT_EQ(Enc(ValueRef::Real(-0.0)), std::string("F\x80\0\0\0\0\0\0\0", 9));
  EXPECT_EQ(Enc(ValueRef::Text("ab")), std::string("T\0\0\0\0\0\0\0\x02"
                                                   "ab",
                                                   11));
  EXPECT_EQ(Enc(ValueRef::Blob("ab")), std::string("B\0\0\0\0\0\0\0\x02"
                                                   "ab",
                                                   11));
}

TEST(ValueEncoding, DistinguishesWhatWeakerEncodingsConfuse) {
  EXPECT_NE(Enc(ValueRef::Integer(1)), Enc(ValueRef::Real(1.0)));
  EXPECT_NE(Enc(ValueRef::Real(0.0)), Enc(ValueRef::Real(-0.0)));
  EXPECT_NE(Enc(ValueRef::Null()), Enc(ValueRef::Text("NULL")));
  EXPECT_NE(Enc(ValueRef::Text("a")), Enc(ValueRef::Blob("a")));
  EXPECT_NE(Enc(ValueRef::Text("a3")) + Enc(ValueRef::Text("b")),
            Enc(ValueRef::Text("a")) + Enc(ValueRef::Text("3b")));
}

TEST(KeyOrder, IsSqliteBinaryOrder) {
  std::vector<ValueRef> ordered = {
      ValueRef::Null(),      ValueRef::Integer(-5),      ValueRef::Real(-0.5),
      ValueRef::Integer(0),  ValueRef::Real(0.25),       ValueRef::Integer(9007199254740993),
      ValueRef::Text(""),    ValueRef::Text("B"),        ValueRef::Text("a"),
      ValueRef::Text("ab"),  ValueRef::Text("\xc3\xa9"), ValueRef::Blob(""),
      ValueRef::Blob("\x01")};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int c = CompareKeyValues(ordered[i], ordered[j]);
      EXPECT_EQ(c < 0, i < j) << i << " vs " << j;
      EXPECT_EQ(c == 0, i == j) << i << " vs " << j;
    }
  }
  // Numbers compare by value across types, exactly (no rounding through double).
  EXPECT_EQ(CompareKeyValues(ValueRef::Integer(1), ValueRef::Real(1.0)), 0);
  EXPECT_LT(
      CompareKeyValues(ValueRef::Integer(9007199254740991), ValueRef::Real(9007199254740992.0)), 0);
  EXPECT_GT(
      CompareKeyValues(ValueRef::Integer(9007199254740993), ValueRef::Real(9007199254740992.0)), 0);
}

TEST(SameBytes, IsEncodingEquality) {
  EXPECT_TRUE(SameBytes(ValueRef::Text("a"), ValueRef::Text("a")));
  EXPECT_FALSE(SameBytes(ValueRef::Text("A"), ValueRef::Text("a")));
  EXPECT_FALSE(SameBytes(ValueRef::Integer(1), ValueRef::Real(1.0)));
  EXPECT_FALSE(SameBytes(ValueRef::Real(0.0), ValueRef::Real(-0.0)));
  EXPECT_TRUE(SameBytes(ValueRef::Null(), ValueRef::Null()));
}

TEST(ValueLiteral, PrintsSqlLiterals) {
  EXPECT_EQ(ValueLiteral(ValueRef::Null()), "NULL");
  EXPECT_EQ(ValueLiteral(ValueRef::Integer(-42)), "-42");
  EXPECT_EQ(ValueLiteral(ValueRef::Real(1.0)), "1.0");
  EXPECT_EQ(ValueLiteral(ValueRef::Real(-0.0)), "-0.0");
  EXPECT_EQ(ValueLiteral(ValueRef::Real(0.1)), "0.1");
  EXPECT_EQ(ValueLiteral(ValueRef::Text("it's")), "'it''s'");
  EXPECT_EQ(ValueLiteral(ValueRef::Text("a\nb\xff")), "'a\\x0ab\\xff'");
  EXPECT_EQ(ValueLiteral(ValueRef::Blob("\x0a\x1b")), "X'0a1b'");
  std::string cut = ValueLiteral(ValueRef::Text(std::string(100, 'x')), 10);
  EXPECT_EQ(cut, "'xxxxxxxxx…");
}

}  // namespace
}  // namespace prodgate::db
