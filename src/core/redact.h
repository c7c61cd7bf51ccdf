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

// A command line as it may be recorded: RedactSecrets on every element, and the element
// after a flag that names a secret (`--password VALUE`, `--token VALUE`) replaced whole.
std::vector<std::string> RedactArgv(const std::vector<std::string>& argv);

// A database target or ledger location as it may be shown. Other than RedactSecrets, a
// PostgreSQL target (postgresql://…, postgres://…, postgresql:KEYWORDS or a bare libpq
// keyword string) is re-read with libpq after redaction: if libpq cannot parse it, or still
// finds a password in it, the target is replaced by a sentence saying it is not shown.
std::string ShownTarget(std::string_view target);

// The target as ShownTarget shows it, for binding and comparing (a grant's target with the
// gate's). Bad input when ShownTarget would not show it: two such targets would compare equal.
Result<std::string> BindableTarget(std::string_view target);

// libpq's reading of a connection string, keyword → value. A parse error's message is made
// safe to show: libpq quotes pieces of the input in it, and each quoted piece that is not a
// libpq keyword is elided.
Result<std::map<std::string, std::string>> ParseConninfo(const std::string& conninfo);

}  // namespace prodgate
