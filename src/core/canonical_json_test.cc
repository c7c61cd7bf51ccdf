#include "core/canonical_json.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace prodgate {
namespace {

// Success when `status` is a BadInput refusal whose message contains `needle`.
::testing::AssertionResult IsBadInputNaming(const Status& status, std::string_view needle) {
  if (status.ok()) return ::testing::AssertionFailure() << "accepted; expected a refusal";
  if (status.code() != StatusCode::kBadInput) {
    return ::testing::AssertionFailure() << "code is not kBadInput: " << status.ToString();
  }
  if (status.what().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message does not name \"" << needle << "\": " << status.what();
  }
  return ::testing::AssertionSuccess();
}

// Canonical form of `text` parsed with `policy`, or a failure message.
std::string Canonicalize(std::string_view text, NumberPolicy policy) {
  auto parsed = ParseJson(text, policy, "input.json");
  if (!parsed.ok()) return "parse failed: " + parsed.status().ToString();
  auto canonical = CanonicalJson(*parsed, policy);
  if (!canonical.ok()) return "canonicalization failed: " + canonical.status().ToString();
  return *canonical;
}

// ---------------------------------------------------------------------------------------
// RFC 8785 examples.

// RFC 8785 §3.2.3: member names are sorted as arrays of UTF-16 code units. In UTF-8 byte
// order U+FB33 (EF AC B3) would precede U+1F600 (F0 9F 98 80); in UTF-16 the surrogate
// pair D83D DE00 precedes FB33.
TEST(CoreCanonicalJson, Rfc8785SortingExample) {
  const std::string input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  // The RFC's expected output; non-ASCII names are raw UTF-8 (U+0080 is not escaped).
  const std::string expected =
      "{\"\\r\":\"Carriage Return\","
      "\"1\":\"One\","
      "\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(Canonicalize(input, NumberPolicy::kAny), expected);
  EXPECT_EQ(Canonicalize(input, NumberPolicy::kIntegersOnly), expected);
}

// RFC 8785 §3.2.2 / §3.2.4: numbers and string escaping.
TEST(CoreCanonicalJson, Rfc8785NumbersAndStringsExample) {
  const std::string input =
      R"({"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],)"
      R"("string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]})";
  const std::string expected =
      R"({"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],)"
      "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
  EXPECT_EQ(Canonicalize(input, NumberPolicy::kAny), expected);
  // Canonicalization is idempotent.
  EXPECT_EQ(Canonicalize(expected, NumberPolicy::kAny), expected);
}

// RFC 8785 Appendix B: IEEE-754 bit patterns and their ECMAScript serialization. Every
// expected string is the RFC/ECMAScript value, computed with node's String(Number).
TEST(CoreCanonicalJson, Rfc8785AppendixBNumbers) {
  struct Case {
    uint64_t bits;
    const char* expected;
  };
  const Case kCases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},  // minus zero
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},  // round to even
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << std::hex << "bits 0x" << c.bits);
    const double v = std::bit_cast<double>(c.bits);
    EXPECT_EQ(EcmaNumberToString(v), c.expected);
    // CanonicalJson serializes a float through the same rule.
    auto canonical = CanonicalJson(Json(v), NumberPolicy::kAny);
    ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
    EXPECT_EQ(*canonical, c.expected);
  }
}

// The boundaries between ECMAScript's fixed and exponential notation. Expected values
// computed with node (ECMAScript Number.prototype.toString).
TEST(CoreCanonicalJson, EcmaNumberNotationBoundaries) {
  EXPECT_EQ(EcmaNumberToString(1e21), "1e+21");
  EXPECT_EQ(EcmaNumberToString(1e20), "100000000000000000000");
  EXPECT_EQ(EcmaNumberToString(1e-6), "0.000001");
  EXPECT_EQ(EcmaNumberToString(1e-7), "1e-7");
  EXPECT_EQ(EcmaNumberToString(5e-7), "5e-7");
  EXPECT_EQ(EcmaNumberToString(123e-20), "1.23e-18");
  EXPECT_EQ(EcmaNumberToString(0.1), "0.1");
  EXPECT_EQ(EcmaNumberToString(100), "100");
  EXPECT_EQ(EcmaNumberToString(1.5), "1.5");
  EXPECT_EQ(EcmaNumberToString(-1.5), "-1.5");
  EXPECT_EQ(EcmaNumberToString(9007199254740994.0), "9007199254740994");
  EXPECT_EQ(EcmaNumberToString(123456789012345680000.0), "123456789012345680000");
}

// RFC 8785 Appendix B: NaN and Infinity have no JSON form and must be refused.
TEST(CoreCanonicalJson, NonFiniteNumbersRefused) {
  for (double v :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    auto canonical = CanonicalJson(Json(v), NumberPolicy::kAny);
    EXPECT_TRUE(IsBadInputNaming(canonical.status(), "not finite")) << v;
  }
}

// ---------------------------------------------------------------------------------------
// Serialization details.

TEST(CoreCanonicalJson, EscapesEveryControlCharacter) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all += "\x7f\"\\/";
  auto canonical = CanonicalJson(Json(all), NumberPolicy::kIntegersOnly);
  ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
  EXPECT_EQ(*canonical,
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
            "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
            "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
            "\x7f\\\"\\\\/\"");
}

TEST(CoreCanonicalJson, NestedStructuresHaveNoWhitespace) {
  EXPECT_EQ(Canonicalize(R"( { "b" : [ 1 , { "d" : null , "c" : -2 } ] , "a" : { } , "e" : [ ] } )",
                         NumberPolicy::kIntegersOnly),
            R"({"a":{},"b":[1,{"c":-2,"d":null}],"e":[]})");
}

TEST(CoreCanonicalJson, IntegersBeyondDoublePrintedExactlyWithAnyPolicy) {
  // The documented deviation: an integer written exactly stays exact, never rounded.
  EXPECT_EQ(
      Canonicalize("[9007199254740993,-9007199254740993,18446744073709551615]", NumberPolicy::kAny),
      "[9007199254740993,-9007199254740993,18446744073709551615]");
}

TEST(CoreCanonicalJson, CanonicalJsonRefusesFloatWithIntegersOnly) {
  Json doc = {{"size", 1.5}};
  auto canonical = CanonicalJson(doc, NumberPolicy::kIntegersOnly);
  EXPECT_TRUE(IsBadInputNaming(canonical.status(), "float"));
  Json big = {{"size", uint64_t{9007199254740993}}};
  EXPECT_TRUE(IsBadInputNaming(CanonicalJson(big, NumberPolicy::kIntegersOnly).status(), "2^53"));
}

TEST(CoreCanonicalJson, CanonicalJsonRefusesInvalidUtf8) {
  Json value = Json("caf\xC3");
  EXPECT_TRUE(IsBadInputNaming(CanonicalJson(value, NumberPolicy::kAny).status(), "UTF-8"));
  Json member = Json::object();
  member["\xED\xA0\x80"] = 1;  // a surrogate encoded in UTF-8
  EXPECT_TRUE(IsBadInputNaming(CanonicalJson(member, NumberPolicy::kAny).status(), "UTF-8"));
}

// ---------------------------------------------------------------------------------------
// ParseJson refusals.

TEST(CoreParseJson, FloatRefusedWithIntegersOnlyNamingItsPath) {
  const std::string text =
      R"({"files":[{"size":1},{"size":2},{"size":3},{"size":1.5}],"format":"x"})";
  auto parsed = ParseJson(text, NumberPolicy::kIntegersOnly, "seal.json");
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "files[3].size"));
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "seal.json"));
  // The same text is fine as arbitrary JSON.
  auto any = ParseJson(text, NumberPolicy::kAny, "seal.json");
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ((*any)["files"][3]["size"].get<double>(), 1.5);
}

TEST(CoreParseJson, FloatSpellingsRefusedWithIntegersOnly) {
  // Any fraction or exponent makes a float, even when the value is integral.
  for (const char* text : {R"({"n":1.0})", R"({"n":1e3})", R"({"n":1E0})", R"({"n":-0.0})"}) {
    auto parsed = ParseJson(text, NumberPolicy::kIntegersOnly, "doc.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "doc.json: n")) << text;
  }
  // Top-level and nested-array paths are named too.
  EXPECT_TRUE(
      IsBadInputNaming(ParseJson("2.5", NumberPolicy::kIntegersOnly, "d").status(), "(top level)"));
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson(R"({"a":{"b":[[0,1],[2,0.5]]}})", NumberPolicy::kIntegersOnly, "d").status(),
      "a.b[1][1]"));
}

TEST(CoreParseJson, IntegersBeyond2To53Refused) {
  auto ok = ParseJson(R"({"max":9007199254740992,"min":-9007199254740992})",
                      NumberPolicy::kIntegersOnly, "doc.json");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)["max"].get<int64_t>(), kMaxSafeInteger);
  EXPECT_EQ((*ok)["min"].get<int64_t>(), -kMaxSafeInteger);

  EXPECT_TRUE(IsBadInputNaming(
      ParseJson(R"({"files":[{"size":9007199254740993}]})", NumberPolicy::kIntegersOnly, "d")
          .status(),
      "files[0].size"));
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson(R"({"n":-9007199254740993})", NumberPolicy::kIntegersOnly, "d").status(), "n"));
  // Beyond 64 bits the parser yields a double: still refused, still named.
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson(R"({"huge":123456789012345678901234567890})", NumberPolicy::kIntegersOnly, "d")
          .status(),
      "huge"));
  // kAny takes them.
  EXPECT_TRUE(ParseJson(R"({"n":9007199254740993})", NumberPolicy::kAny, "d").ok());
}

TEST(CoreParseJson, DuplicateMemberNamesRefused) {
  auto parsed =
      ParseJson(R"({"a":1,"b":{"size":1,"size":2}})", NumberPolicy::kIntegersOnly, "seal.json");
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "\"size\""));
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "seal.json"));
  // Even with equal values.
  EXPECT_TRUE(
      IsBadInputNaming(ParseJson(R"({"k":1,"k":1})", NumberPolicy::kAny, "d").status(), "\"k\""));
  // Equal names in different objects are not duplicates.
  EXPECT_TRUE(
      ParseJson(R"([{"a":1},{"a":1},{"x":{"a":1},"y":{"a":{"a":1}}}])", NumberPolicy::kAny, "d")
          .ok());
}

TEST(CoreParseJson, DuplicateAfterEscapeDecodingRefused) {
  // "\u0061" and "a" are the same member name.
  EXPECT_TRUE(IsBadInputNaming(ParseJson(R"({"a":1,"\u0061":2})", NumberPolicy::kAny, "d").status(),
                               "\"a\""));
}

TEST(CoreParseJson, InvalidUtf8Refused) {
  const std::string kBad[] = {
      "{\"a\":\"caf\xC3\"}",        // truncated sequence
      "{\"a\":\"\xED\xA0\x80\"}",   // surrogate encoded in UTF-8
      "{\"a\":\"\xC0\xAF\"}",       // overlong '/'
      "{\"\xFF\":1}",               // in a member name
      "{\"a\":1}\xF4\x90\x80\x80",  // above U+10FFFF, after the value
  };
  for (const std::string& text : kBad) {
    auto parsed = ParseJson(text, NumberPolicy::kAny, "data.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "data.json is not valid UTF-8")) << text;
  }
  // A lone surrogate written as an escape cannot become UTF-8 either.
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson(R"({"a":"\ud800"})", NumberPolicy::kAny, "data.json").status(), "data.json"));
}

TEST(CoreParseJson, TrailingGarbageRefused) {
  const std::string kBad[] = {
      R"({"a":1} x)", R"({"a":1}{})", R"({"a":1},)",
      "1 2",          "[]]",          std::string("{}\0", 3),  // a NUL byte after the document
  };
  for (const std::string& text : kBad) {
    auto parsed = ParseJson(text, NumberPolicy::kAny, "doc.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "doc.json is not valid JSON")) << text;
  }
  // Trailing whitespace is not garbage.
  EXPECT_TRUE(ParseJson("{\"a\":1} \n", NumberPolicy::kAny, "doc.json").ok());
}

// Regression: nlohmann's lexer reads a NUL byte as the end of input, so everything after
// one used to be ignored and "[1]\0<anything>" parsed as [1].
TEST(CoreParseJson, NulByteAnywhereRefused) {
  const std::string kBad[] = {
      std::string("[1]\0[2] garbage", 15),
      std::string("{\"a\":1}\n\0", 9),
      std::string("\0{}", 3),
      std::string("{\"a\":\"x\0y\"}", 11),
  };
  for (const std::string& text : kBad) {
    auto parsed = ParseJson(text, NumberPolicy::kAny, "doc.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "doc.json is not valid JSON"))
        << testing::PrintToString(text);
  }
  // An escaped NUL inside a string is fine.
  auto escaped = ParseJson(R"({"a":"x\u0000y"})", NumberPolicy::kAny, "doc.json");
  ASSERT_TRUE(escaped.ok()) << escaped.status().ToString();
  EXPECT_EQ((*escaped)["a"].get<std::string>(), std::string("x\0y", 3));
}

TEST(CoreParseJson, TruncatedDocumentsRefused) {
  for (const char* text : {"", " ", "{", R"({"a")", R"({"a":)", R"({"a":[1,2)", R"({"a":"bc)",
                           R"({"a":tru)", R"({"a":"\u00)", "-"}) {
    auto parsed = ParseJson(text, NumberPolicy::kAny, "doc.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "doc.json is not valid JSON")) << text;
  }
}

TEST(CoreParseJson, CommentsRefused) {
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson("{\"a\":1 /* note */}", NumberPolicy::kAny, "doc.json").status(), "doc.json"));
  EXPECT_TRUE(IsBadInputNaming(
      ParseJson("{\"a\":1} // note", NumberPolicy::kAny, "doc.json").status(), "doc.json"));
}

// ---------------------------------------------------------------------------------------
// ParseCanonicalDocument.

constexpr char kCanonicalDoc[] = R"({"a":1,"b":[true,null,-7],"c":"x/y","d":{"e":"f"}})";

// Found with fuzz/canonical_json_fuzz.cc: a few thousand nested arrays (a 10 KB file)
// exhausted the stack in the recursive number check and ended the process.
TEST(CoreParseJson, NestingDeeperThanTheLimitRefused) {
  auto nested = [](int depth, char open, std::string_view inner, char close) {
    return std::string(static_cast<size_t>(depth), open) + std::string(inner) +
           std::string(static_cast<size_t>(depth), close);
  };
  for (NumberPolicy policy : {NumberPolicy::kIntegersOnly, NumberPolicy::kAny}) {
    EXPECT_TRUE(ParseJson(nested(kMaxJsonDepth, '[', "1", ']'), policy, "doc.json").ok());
    for (int depth : {kMaxJsonDepth + 1, 100000}) {
      EXPECT_TRUE(IsBadInputNaming(
          ParseJson(nested(depth, '[', "1", ']'), policy, "doc.json").status(), "levels deep"));
      std::string objects;
      for (int i = 0; i < depth; ++i) objects += "{\"a\":";
      objects += "1" + std::string(static_cast<size_t>(depth), '}');
      EXPECT_TRUE(IsBadInputNaming(ParseJson(objects, policy, "doc.json").status(), "levels deep"));
    }
  }
}

TEST(CoreParseCanonicalDocument, AcceptsCanonicalBytes) {
  auto plain = ParseCanonicalDocument(kCanonicalDoc, "doc.json");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)["b"][2].get<int64_t>(), -7);
  EXPECT_EQ((*plain)["c"].get<std::string>(), "x/y");

  auto with_newline = ParseCanonicalDocument(std::string(kCanonicalDoc) + "\n", "doc.json");
  ASSERT_TRUE(with_newline.ok()) << with_newline.status().ToString();
  EXPECT_EQ(*with_newline, *plain);
}

TEST(CoreParseCanonicalDocument, AcceptsRawNonAsciiAndUtf16Order) {
  // U+00E9 raw, and member names in UTF-16 order (U+1F600 before U+FB33).
  const std::string doc =
      "{\"caf\xC3\xA9\":\"\xC3\xA9\",\"\xF0\x9F\x98\x80\":1,\"\xEF\xAC\xB3\":2}";
  auto parsed = ParseCanonicalDocument(doc, "doc.json");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
}

TEST(CoreParseCanonicalDocument, RefusesNonCanonicalBytes) {
  struct Case {
    const char* what;
    std::string bytes;
  };
  const Case kCases[] = {
      {"pretty-printed", "{\n  \"a\": 1\n}"},
      {"space after colon", R"({"a": 1})"},
      {"leading space", R"( {"a":1})"},
      {"reordered", R"({"b":1,"a":2})"},
      {"UTF-8 byte order instead of UTF-16", "{\"\xEF\xAC\xB3\":2,\"\xF0\x9F\x98\x80\":1}"},
      {"escaped e-acute", R"({"a":"caf\u00e9"})"},
      {"escaped solidus", R"({"a":"x\/y"})"},
      {"escaped line feed as \\u000a", R"({"a":"\u000a"})"},
      {"uppercase hex escape", R"({"a":"\u001F"})"},
      {"escaped ASCII letter", R"({"a":"\u0041"})"},
      {"minus zero", R"({"a":-0})"},
      {"two trailing newlines", "{\"a\":1}\n\n"},
      {"CRLF ending", "{\"a\":1}\r\n"},
      {"trailing space", "{\"a\":1} "},
      {"byte order mark", "\xEF\xBB\xBF{\"a\":1}"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.what);
    auto parsed = ParseCanonicalDocument(c.bytes, "seal.json");
    EXPECT_TRUE(IsBadInputNaming(parsed.status(), "seal.json is not in canonical form"));
  }
  // The canonical spellings of the same documents are accepted.
  for (const char* ok :
       {R"({"a":1})", R"({"a":2,"b":1})", "{\"a\":\"caf\xC3\xA9\"}", R"({"a":"x/y"})",
        R"({"a":"\n"})", R"({"a":"\u001f"})", R"({"a":"A"})", R"({"a":0})"}) {
    EXPECT_TRUE(ParseCanonicalDocument(ok, "seal.json").ok()) << ok;
  }
}

TEST(CoreParseCanonicalDocument, RefusesFloatWhereIntegerBelongs) {
  auto parsed = ParseCanonicalDocument(R"({"files":[{"size":1.0}]})", "seal.json");
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "files[0].size"));
  EXPECT_TRUE(IsBadInputNaming(parsed.status(), "seal.json"));
  EXPECT_TRUE(ParseCanonicalDocument(R"({"files":[{"size":1}]})", "seal.json").ok());
  // The RFC's own canonical output carries floats: not a prodgate document.
  EXPECT_TRUE(IsBadInputNaming(
      ParseCanonicalDocument(R"({"numbers":[333333333.3333333,1e+30]})", "seal.json").status(),
      "numbers[0]"));
}

TEST(CoreParseCanonicalDocument, RefusesInvalidJsonAndDuplicates) {
  EXPECT_TRUE(IsBadInputNaming(ParseCanonicalDocument("", "seal.json").status(), "seal.json"));
  EXPECT_TRUE(IsBadInputNaming(ParseCanonicalDocument(R"({"a":1)", "seal.json").status(),
                               "seal.json is not valid JSON"));
  EXPECT_TRUE(
      IsBadInputNaming(ParseCanonicalDocument(R"({"a":1,"a":1})", "seal.json").status(), "\"a\""));
}

}  // namespace
}  // namespace prodgate
