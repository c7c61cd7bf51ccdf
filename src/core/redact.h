#pragma once

// The one place secrets are taken out of what the user typed before it is printed, written
// to a file or recorded in the ledger: database targets, ledger locations and command lines.
//
// Invariant: no function here returns a byte sequence that held a password, token or secret
// in its input. Where a string cannot be understood well enough to be sure (a PostgreSQL
// target libpq cannot parse), the string is not shown at all and the result says so.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace prodgate {

// What replaces a secret value.
inline constexpr std::string_view kRedacted = "***";

// `text` with every secret value replaced by kRedacted:
//  - the password of a URI's user information (`scheme://USER:PASSWORD@HOST`, up to the last
//    '@' of the authority);
//  - the value of every `NAME=VALUE` whose NAME names a secret (password, passwd, pass, pwd,
//    sslpassword, secret, token, an API key, `*_KEY`, `*_PASSWORD`…, in any case, with
//    leading dashes as in `--password=…`, percent-encoded as a URI query may be). A value
//    quoted with ' or " ends at its closing quote (backslash escapes it); otherwise at
//    whitespace, or at '&' inside a URI query.
std::string RedactSecrets(std::string_view text);

// A command line as it may be recorded: RedactSecrets on every element; an element
// NAME=VALUE with a secret NAME keeps NAME= only; the element after a flag that names a
// secret (`--password VALUE`, `--token VALUE`) is replaced whole; well-known clients' own
// flags (mysql -pX, redis-cli -a X, sshpass/docker -p X, curl -u USER:X) lose their secret,
// also behind wrappers (sudo, env, nice, nohup, time, timeout, exec) and inside sh -c.
std::vector<std::string> RedactArgv(const std::vector<std::string>& argv);

// A whole command line in one string (sh -c's argument, a spawn error's argv[0]): split at
// whitespace, RedactArgv, joined with single spaces.
std::string RedactCommandLine(std::string_view line);

// A database target or ledger location as it may be shown: sqlite:PATH as written; a
// PostgreSQL target (postgresql://…, postgres://…, postgresql:KEYWORDS or a bare libpq keyword
// string) after RedactSecrets, and only if libpq reads from the shown form the same
// connection as from the original (every option but the password equal, and no password
// left); anything else after RedactSecrets. A target that fails the check is replaced by
// "(a target, not shown: WHY)".
std::string ShownTarget(std::string_view target);

// What a grant binds and the gate compares: sqlite:PATH as written; for PostgreSQL the
// options libpq reads, password left out, as a canonical keyword string (so the URI and the
// keyword spelling of one connection compare equal, and two connections never do); any other
// string as written when nothing in it looks secret. Bad input otherwise.
Result<std::string> BindableTarget(std::string_view target);

// libpq's reading of a connection string, keyword → value. A parse error's message is made
// safe to show (ScrubMessage against the input).
Result<std::map<std::string, std::string>> ParseConninfo(const std::string& conninfo);

// A message about `input` (libpq's, which quotes pieces of its input) made safe: every piece
// of the input (a run between separators) that is neither a libpq keyword nor in `shown`
// (what is shown of the input) becomes "…", then RedactSecrets.
std::string ScrubMessage(std::string_view message, std::string_view input, std::string_view shown);

}  // namespace prodgate
