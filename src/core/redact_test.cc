#include "core/redact.h"

#include <gtest/gtest.h>

namespace prodgate {
namespace {

// Every case is an attacker's spelling of a secret; each must come out without it.
TEST(RedactSecrets, TakesOutEverySpellingOfAPassword) {
  const std::pair<const char*, const char*> cases[] = {
      {"postgresql://alice:s3cret@db:5433/app", "postgresql://alice:***@db:5433/app"},
      {"postgres://alice:s3c@ret@db/app", "postgres://alice:***@db/app"},
      {"postgresql://u:s3cret@h1:5432,h2:5433/app", "postgresql://u:***@h1:5432,h2:5433/app"},
      {"postgresql://h/app?password=s3cret&sslmode=require",
       "postgresql://h/app?password=***&sslmode=require"},
      {"postgresql://h/app?%70assword=s3cret", "postgresql://h/app?%70assword=***"},
      {"postgresql:host=h password=s3cret dbname=app", "postgresql:host=h password=*** dbname=app"},
      {"host=h password = 's3 cret' dbname=app", "host=h password = *** dbname=app"},
      {"host=h password='it\\'s s3cret' dbname=app", "host=h password=*** dbname=app"},
      {"host=h sslpassword=s3cret", "host=h sslpassword=***"},
      {"PGPASSWORD=s3cret", "PGPASSWORD=***"},
      {"--password=s3cret", "--password=***"},
      {"GITHUB_TOKEN=s3cret AWS_SECRET_ACCESS_KEY=s3cret2 MY_API_KEY=s3cret3",
       "GITHUB_TOKEN=*** AWS_SECRET_ACCESS_KEY=*** MY_API_KEY=***"},
      {"mysql://root:s3cret@h/db", "mysql://root:***@h/db"},
      {"sh -c 'PGPASSWORD=s3cret psql postgresql://u:s3cret2@h/d'",
       "sh -c 'PGPASSWORD=*** psql postgresql://u:***@h/d'"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(RedactSecrets(in), want) << in;
}

TEST(RedactSecrets, LeavesWhatIsNotASecret) {
  // Negative controls: nothing secret, nothing changed.
  for (const char* same : {"sqlite:./clone.db", "postgresql://alice@db:5433/app",
                           "host=/run/postgresql dbname=app user=alice sslkey=/k.pem",
                           "psql -v ON_ERROR_STOP=1 -f apply.sql", "key=alice.pem", ""}) {
    EXPECT_EQ(RedactSecrets(same), same);
  }
}

TEST(RedactArgv, HidesTheValueAfterASecretFlag) {
  std::vector<std::string> argv = {"mysql", "--password",         "s3cret",  "-u",
                                   "root",  "PGPASSWORD=s3cret2", "--token", "t0k"};
  std::vector<std::string> want = {"mysql", "--password",     "***",     "-u",
                                   "root",  "PGPASSWORD=***", "--token", "***"};
  EXPECT_EQ(RedactArgv(argv), want);
  // Negative control: a flag that names no secret keeps its value.
  std::vector<std::string> plain = {"prodgate", "--key", "alice.pem", "--scope", "production"};
  EXPECT_EQ(RedactArgv(plain), plain);
}

TEST(ShownTarget, APostgresTargetLibpqCannotParseIsNotShown) {
  for (const char* bad : {"postgresql://alice:s3cret@[::1/app", "postgresql:host=h s3cret",
                          "host=h password=s3cret dbname"}) {
    std::string shown = ShownTarget(bad);
    EXPECT_EQ(shown.find("s3cret"), std::string::npos) << bad << " -> " << shown;
    EXPECT_EQ(shown.find("(a PostgreSQL target, not shown"), 0u) << shown;
  }
  // An unclosed quote hides the rest of the string, which then parses.
  EXPECT_EQ(ShownTarget("postgresql:password='s3cret"), "postgresql:password=***");
  EXPECT_EQ(ShownTarget("host=h password='a b' dbname=l"), "host=h password=*** dbname=l");
  EXPECT_EQ(ShownTarget("host=h dbname=l"), "host=h dbname=l");
  EXPECT_EQ(ShownTarget("sqlite:./a.db"), "sqlite:./a.db");
}

TEST(ParseConninfo, ItsErrorsElideWhatLibpqQuotes) {
  auto bad = ParseConninfo("postgresql://alice:s3cret@[::1/app");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().what().find("s3cret"), std::string::npos) << bad.status().what();
  auto unknown = ParseConninfo("host=h s3cret=x");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().what().find("s3cret"), std::string::npos);
  // A keyword libpq quotes is kept: it names what to fix.
  auto missing = ParseConninfo("host=h dbname");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().what().find("\"dbname\""), std::string::npos)
      << missing.status().what();
  auto good = ParseConninfo("host=h password=p dbname=d");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->at("password"), "p");
}

}  // namespace
}  // namespace prodgate
