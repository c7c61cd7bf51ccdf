#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace prodgate {
namespace {

TEST(CoreStatus, OkStatus) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.exit_code(), 0);
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().exit_code(), 0);
}

TEST(CoreStatus, ExitCodes) {
  Status bad = Status::BadInput("seal.json is not valid JSON");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), StatusCode::kBadInput);
  EXPECT_EQ(bad.exit_code(), 2);

  Status internal = Status::Internal("cannot write report.json");
  EXPECT_FALSE(internal.ok());
  EXPECT_EQ(internal.code(), StatusCode::kInternal);
  EXPECT_EQ(internal.exit_code(), 3);
}

TEST(CoreStatus, ToStringWithAndWithoutFix) {
  EXPECT_EQ(Status::BadInput("x.json is empty").ToString(), "x.json is empty");
  Status s = Status::BadInput("x.json is empty", "regenerate it");
  EXPECT_EQ(s.what(), "x.json is empty");
  EXPECT_EQ(s.fix(), "regenerate it");
  EXPECT_EQ(s.ToString(), "x.json is empty\n  fix: regenerate it");
  EXPECT_EQ(Status::Internal("disk full", "free space").ToString(), "disk full\n  fix: free space");
}

TEST(CoreStatus, WithContextPrefixesAndKeepsCodeAndFix) {
  Status s = Status::Internal("write failed", "free space").WithContext("out/report.json");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_EQ(s.what(), "out/report.json: write failed");
  EXPECT_EQ(s.fix(), "free space");
  EXPECT_EQ(s.exit_code(), 3);
  // Context on ok stays ok.
  Status ok = Status::Ok().WithContext("anything");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.what(), "");
}

TEST(CoreStatus, ResultHoldsValueOrStatus) {
  Result<std::string> value(std::string("payload"));
  ASSERT_TRUE(value.ok());
  EXPECT_TRUE(value.status().ok());
  EXPECT_EQ(*value, "payload");
  EXPECT_EQ(value->size(), 7u);

  Result<std::string> error(Status::BadInput("no payload", "supply one"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kBadInput);
  EXPECT_EQ(error.status().what(), "no payload");
  EXPECT_EQ(error.status().fix(), "supply one");
}

// --- Propagation through the macros.

Status Step(bool fail, const char* name, std::vector<std::string>* ran) {
  ran->push_back(name);
  return fail ? Status::BadInput(std::string(name) + " failed", "fix " + std::string(name))
              : Status::Ok();
}

Status ThreeSteps(int failing, std::vector<std::string>* ran) {
  PG_RETURN_IF_ERROR(Step(failing == 1, "one", ran));
  PG_RETURN_IF_ERROR(Step(failing == 2, "two", ran));
  PG_RETURN_IF_ERROR(Step(failing == 3, "three", ran));
  return Status::Internal("reached the end");
}

TEST(CoreStatus, ReturnIfErrorStopsAtFirstError) {
  std::vector<std::string> ran;
  Status s = ThreeSteps(2, &ran);
  EXPECT_EQ(s.code(), StatusCode::kBadInput);
  EXPECT_EQ(s.what(), "two failed");
  EXPECT_EQ(s.fix(), "fix two");
  EXPECT_EQ(ran, (std::vector<std::string>{"one", "two"}));

  ran.clear();
  s = ThreeSteps(0, &ran);
  EXPECT_EQ(s.what(), "reached the end");
  EXPECT_EQ(ran, (std::vector<std::string>{"one", "two", "three"}));
}

Result<int> ParseDigit(char c) {
  if (c < '0' || c > '9') {
    return Status::BadInput(std::string("'") + c + "' is not a digit");
  }
  return c - '0';
}

Result<int> SumOfTwoDigits(const char* s, int* reached) {
  *reached = 0;
  PG_ASSIGN_OR_RETURN(int a, ParseDigit(s[0]));
  *reached = 1;
  PG_ASSIGN_OR_RETURN(int b, ParseDigit(s[1]));
  *reached = 2;
  return a + b;
}

TEST(CoreStatus, AssignOrReturnPropagates) {
  int reached = -1;
  auto sum = SumOfTwoDigits("47", &reached);
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(*sum, 11);
  EXPECT_EQ(reached, 2);

  auto first_bad = SumOfTwoDigits("x7", &reached);
  ASSERT_FALSE(first_bad.ok());
  EXPECT_EQ(first_bad.status().what(), "'x' is not a digit");
  EXPECT_EQ(reached, 0);

  auto second_bad = SumOfTwoDigits("4y", &reached);
  ASSERT_FALSE(second_bad.ok());
  EXPECT_EQ(second_bad.status().code(), StatusCode::kBadInput);
  EXPECT_EQ(second_bad.status().what(), "'y' is not a digit");
  EXPECT_EQ(reached, 1);
}

Result<std::unique_ptr<int>> MakeBox(int v) {
  if (v < 0) return Status::Internal("negative");
  return std::make_unique<int>(v);
}

Result<int> Unbox(int v) {
  PG_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(v));  // move-only value
  return *box * 2;
}

Status AssignIntoExisting(int v, int* out) {
  PG_ASSIGN_OR_RETURN(*out, Unbox(v));
  return Status::Ok();
}

TEST(CoreStatus, AssignOrReturnMovesAndAssigns) {
  auto doubled = Unbox(21);
  ASSERT_TRUE(doubled.ok());
  EXPECT_EQ(*doubled, 42);
  EXPECT_EQ(Unbox(-1).status().code(), StatusCode::kInternal);
  EXPECT_EQ(Unbox(-1).status().exit_code(), 3);

  int out = 0;
  EXPECT_TRUE(AssignIntoExisting(5, &out).ok());
  EXPECT_EQ(out, 10);
  out = 7;
  Status s = AssignIntoExisting(-3, &out);
  EXPECT_EQ(s.what(), "negative");
  EXPECT_EQ(out, 7);  // untouched on error
}

}  // namespace
}  // namespace prodgate
