#pragma once

// The property the checks fuzzer (checks_fuzz.cpp) and its deterministic replay
// (tests/agent/checks_fuzz_replay_test.cpp) share: response checks and extractions, given
// any body and header block, never crash, never throw, and keep their promises (a failed
// check has a message; a failed extraction names its variable; an extracted variable can
// be rendered into a template).
//
// Input layout: the bytes before the first NUL are the header block, the rest the body;
// with no NUL, all of it is the body and the header block is empty.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/fast_rng.hpp"
#include "agent/response_checks.hpp"
#include "agent/user_variables.hpp"
#include "protocol/workload/template.hpp"

namespace grid::fuzz {

/// Thrown (by the property, never by the code under test) when a promise is broken.
struct BrokenPromise : std::logic_error {
  using std::logic_error::logic_error;
};

/// The fixed checks and extractions: every kind, with the shapes that have edge cases
/// (literal-prefixed and unprefixed regexes, lazy and greedy, a back-reference, JSON
/// pointers into objects and arrays with escapes and the root).
inline const agent::CompiledChecks& fuzz_checks() {
  using wire::CheckKind;
  using wire::ExtractKind;
  static const agent::CompiledChecks checks(
      {
          {CheckKind::contains, "OK", ""},
          {CheckKind::regex, "\"status\":\\s*\"(ok|fine)\"", ""},
          {CheckKind::regex, "(a|b)*c", ""},
          {CheckKind::regex, "(\\w)\\1", ""},
          {CheckKind::json_equals, "42", "/id"},
          {CheckKind::json_equals, "abc", "/a~1b/0/c~0d"},
          {CheckKind::json_equals, "[1,{\"x\":null}]", "/list"},
      },
      {
          {"token", ExtractKind::regex, "\"token\":\"(.*?)\""},
          {"any", ExtractKind::regex, "([0-9]+)(x?)"},
          {"whole", ExtractKind::regex, "id=\\d+"},
          {"json_id", ExtractKind::json, "/id"},
          {"json_root", ExtractKind::json, ""},
          {"json_deep", ExtractKind::json, "/a/0/b/1"},
          {"ctype", ExtractKind::header, "Content-Type"},
          {"backref", ExtractKind::regex, "(\\w+)=\\1"},
      });
  return checks;
}

inline void check_response(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view headers = nul == std::string_view::npos ? std::string_view() : input.substr(0, nul);
  const std::string_view body = nul == std::string_view::npos ? input : input.substr(nul + 1);
  const auto& checks = fuzz_checks();

  if (const auto failed = checks.run_checks(body)) {
    if (failed->empty()) throw BrokenPromise("a failed check without a message");
  }
  agent::UserVariables vars(7, "fuzz");
  std::string missing;
  const bool all = checks.extract(body, agent::Headers{headers}, vars, &missing);
  if (!all && missing.empty()) throw BrokenPromise("a failed extraction without the variable's name");
  if (all && !missing.empty()) throw BrokenPromise("a successful extraction named a missing variable");

  // Whatever was extracted renders; names that were not extracted are reported missing.
  static const workload::Template tpl =
      workload::parse_template("/t/${token}/${user}/${random(-9223372036854775808,9223372036854775807)}/${uuid}")
          .value();
  agent::FastRng rng(size);
  std::string out;
  std::string missing_in_render;
  const bool rendered = vars.render(tpl, out, rng, &missing_in_render);
  if (rendered != vars.lookup("token").has_value()) throw BrokenPromise("render disagrees with lookup");
  if (!rendered && (missing_in_render != "token" || !out.empty())) throw BrokenPromise("render failed badly");
  if (rendered && out.find(*vars.lookup("token")) == std::string::npos) throw BrokenPromise("token not rendered");

  (void)agent::Headers{headers}.find("set-cookie");
}

}  // namespace grid::fuzz
