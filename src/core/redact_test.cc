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
      // Found by a red team: a password holding '/', '?' or '@'; a query value with a space;
      // an escaped space; a newline before '='; JSON; SQL; an HTTP header.
      {"https://user:s3/cret@host/x", "https://user:***@host/x"},
      {"postgresql://u:s3?cret@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:p@s3cret@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u@h/db?password=my s3cret", "postgresql://u@h/db?password=***"},
      {"host=h password=my\\ s3cret dbname=d", "host=h password=*** dbname=d"},
      {"host=h password\n=s3cret", "host=h password\n=***"},
      {"{\"password\": \"s3cret\", \"user\": \"a\"}", "{\"password\": ***, \"user\": \"a\"}"},
      {"ALTER ROLE app PASSWORD 's3cret'", "ALTER ROLE app PASSWORD ***"},
      {"Authorization: Bearer s3cret", "Authorization: ***"},
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
  // Well-known clients' own flags.
  EXPECT_EQ(RedactArgv({"mysql", "-pS3cret", "-u", "root"}),
            (std::vector<std::string>{"mysql", "-p***", "-u", "root"}));
  EXPECT_EQ(RedactArgv({"/usr/bin/curl", "-u", "alice:s3cret", "https://h"}),
            (std::vector<std::string>{"/usr/bin/curl", "-u", "alice:***", "https://h"}));
  EXPECT_EQ(RedactArgv({"redis-cli", "-a", "s3cret"}),
            (std::vector<std::string>{"redis-cli", "-a", "***"}));
  EXPECT_EQ(RedactArgv({"gpg", "--passphrase", "s3cret"}),
            (std::vector<std::string>{"gpg", "--passphrase", "***"}));
  // Negative control: psql's -p is a port.
  EXPECT_EQ(RedactArgv({"psql", "-p", "5432"}), (std::vector<std::string>{"psql", "-p", "5432"}));
}

// A second red team's command lines: each keeps no byte of its secret ("Zq" + digits).
TEST(RedactArgv, TheFormsASecondRedTeamFound) {
  const std::vector<std::vector<std::string>> lines = {
      {"curl", "-uadmin:Zq1"},
      {"curl", "--user=admin:Zq2"},
      {"sshpass", "-pZq3", "ssh", "h"},
      {"docker", "login", "-u", "x", "-pZq4"},
      {"sudo", "mysql", "-uroot", "-pZq5"},
      {"env", "MYSQL_HOST=x", "mysql", "-pZq6"},
      {"sudo", "docker", "login", "-u", "x", "-p", "Zq7"},
      {"sh", "-c", "mysql -pZq17 -e 'select 1'"},
      {"psql", "-c", "ALTER ROLE x PASSWORD'Zq8'"},
      {"psql", "-c", "ALTER ROLE x PASSWORD E'Zq9'"},
      {"psql", "-c", "ALTER ROLE x PASSWORD 'ab''Zq10'"},
      {"psql", "-c", "ALTER ROLE x PASSWORD $p$Zq20$p$"},
      {"curl", "https://u:ab'Zq11@host/"},
      {"curl", "https://u:ab\"Zq12@host/"},
      {"env", "PGPASSWORD=correct Zq91horse battery", "true"},
      {"mysql", "--password=two Zq92words"},
      {"docker", "run", "-e", "DB_PASSWORD=a Zq94b", "img"},
      {"tool", "{\\\"password\\\":\\\"Zq13\\\"}"},
      {"tool", "postgresql://h/db?token=ab'Zq25"},
      {"tool", "{\"privateKey\":\"Zq14\",\"accessKey\":\"Zq15\"}"},
      {"curl", "--oauth2-bearer", "Zq16"},
      {"env", "SSHPASS=Zq18", "REDISCLI_AUTH=Zq19", "true"},
      {"tool", "//u:Zq21@host/x"},
      {"python3", "-c", "{'password': 'Zq93'}"},
  };
  for (const auto& line : lines) {
    std::string shown;
    for (const auto& w : RedactArgv(line)) shown += w + " ";
    EXPECT_EQ(shown.find("Zq"), std::string::npos) << shown;
  }
  EXPECT_EQ(RedactCommandLine("/nonexistent/mysql -pZq112"), "/nonexistent/mysql -p***");
  // Negative controls: the program's other words stay.
  EXPECT_EQ(RedactArgv({"sudo", "mysql", "-uroot", "-pZq5"})[2], "-uroot");
  EXPECT_EQ(RedactArgv({"sh", "-c", "echo hello"})[2], "echo hello");
}

TEST(ShownTarget, APostgresTargetLibpqCannotParseIsNotShown) {
  for (const char* bad :
       {"postgresql://alice:s3cret@[::1/app", "postgresql:host=h s3cret",
        "host=h password=s3cret dbname", "postgresql:password='s3cret",
        // libpq reads something else than the redaction shows: a '/' or an '@' in the
        // password, a '"' (not a quote to libpq) hiding another dbname.
        "postgresql://u:s3/cret@nonexistent.invalid/db", "postgresql://u:p@s3cret@h/db",
        "postgresql:host=h dbname=good password=\"s3cret dbname=evil\"",
        "postgresql://u:s3cret@[::1]\"/db"}) {
    std::string shown = ShownTarget(bad);
    EXPECT_EQ(shown.find("s3cret"), std::string::npos) << bad << " -> " << shown;
    EXPECT_EQ(shown.find("cret"), std::string::npos) << bad << " -> " << shown;
    EXPECT_EQ(shown.find("(a target, not shown"), 0u) << shown;
    EXPECT_FALSE(BindableTarget(bad).ok()) << bad;
  }
  EXPECT_EQ(ShownTarget("host=h password='a b' dbname=l"), "host=h password=*** dbname=l");
  EXPECT_EQ(ShownTarget("host=h dbname=l"), "host=h dbname=l");
  EXPECT_EQ(ShownTarget("sqlite:./a.db"), "sqlite:./a.db");
}

// What a grant binds names the connection libpq makes: two spellings of one connection are
// equal, two connections never are (a red team's fail-open bindings are the negative cases).
TEST(BindableTarget, ComparesTheConnectionNotTheSpelling) {
  auto uri = BindableTarget("postgresql://app:s3cret@db:5433/prod");
  auto kw = BindableTarget("postgresql:host=db port=5433 dbname=prod user=app password=other");
  ASSERT_TRUE(uri.ok() && kw.ok());
  EXPECT_EQ(*uri, *kw);
  EXPECT_EQ(uri->find("s3cret"), std::string::npos);
  EXPECT_NE(*BindableTarget("postgresql://app@db/prod"),
            *BindableTarget("postgresql://app@db/evil"));
  EXPECT_FALSE(BindableTarget("postgresql://app@db/token=A").ok());
  EXPECT_FALSE(BindableTarget("postgresql://app@db/good?password='x&dbname=evil'").ok());
  EXPECT_FALSE(
      BindableTarget("postgresql://postgres:x@%2Ftmp%2Fpg:5432,x@localhost:5432/good").ok());
  EXPECT_NE(*BindableTarget("sqlite:/srv/api_key=staging/app.db"),
            *BindableTarget("sqlite:/srv/api_key=prod/app.db"));
  EXPECT_EQ(*BindableTarget("staging-db"), "staging-db");
  EXPECT_FALSE(BindableTarget("mysql://root:s3cret@h/db").ok());
}

// Bindings a second red team made fail open: an option given empty (libpq then skips its
// environment default), a blank connection string (libpq takes it as a database name), a NUL.
TEST(BindableTarget, EmptyOptionsBlankStringsAndNulsNeverCompareEqualToAnotherConnection) {
  auto empty_port = BindableTarget("postgresql://u@%2Ftmp%2Fs/app?port=");
  auto no_port = BindableTarget("postgresql://u@%2Ftmp%2Fs/app");
  ASSERT_TRUE(empty_port.ok() && no_port.ok());
  EXPECT_NE(*empty_port, *no_port);
  EXPECT_NE(*BindableTarget("postgresql:host=h port=''"), *BindableTarget("postgresql:host=h"));
  EXPECT_FALSE(BindableTarget("postgresql: ").ok());
  EXPECT_FALSE(BindableTarget(std::string("postgresql:host=h\0 port=1", 26)).ok());
  EXPECT_EQ(ShownTarget("mysql://admin:Se'Zq97cret@db.example/x").find("Zq97"), std::string::npos);
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
