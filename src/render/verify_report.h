// Renderings of seal, verify and explain results: human text, JSON (canonical form, with
// the tool's identity), and JUnit XML. A JSON rendering fails only on a value that is not
// valid UTF-8, which the seal module never produces (paths go through PrintablePath).
#pragma once

#include <string>

#include "core/status.h"

#include "seal/seal.h"
#include "seal/verify.h"

namespace prodgate::render {

std::string VerifyText(const seal::VerifyReport& r);
// {"verdict":"PASS"|"FAIL","root":<sealed tree digest>,"files":[{"path","classes","detail",
//  "first_difference"?}],"manifest","dir","sealed_files","warnings","tool"}
Result<std::string> VerifyJson(const seal::VerifyReport& r);
// One testcase per sealed file, plus one per unsealed file.
std::string VerifyJunit(const seal::VerifyReport& r);

std::string ExplainText(const seal::FileDrift& d, const std::string& old_path);
Result<std::string> ExplainJson(const seal::FileDrift& d, const std::string& old_path);

std::string SealText(const seal::SealOutcome& o);
Result<std::string> SealJson(const seal::SealOutcome& o);

}  // namespace prodgate::render
