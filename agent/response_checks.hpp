#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/user_variables.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::agent {

/// The literal text every match of the ECMAScript `pattern` starts with: "" when there is
/// none or the pattern has an alternative at the top level. `*whole` tells whether the
/// pattern is nothing but that text. Conservative (stopping early is always correct);
/// CompiledChecks uses it to skip the regex engine where no match can start.
std::string regex_literal_prefix(std::string_view pattern, bool* whole);

/// A response's header block as received: every header line curl hands over, in order,
/// concatenated (each ends in "\r\n" or "\n"). Not parsed until find() is called. When the
/// block holds several responses (redirects followed, "100 Continue"), find() looks only
/// at the last one: the lines after the last status line ("HTTP/...").
struct Headers {
  std::string_view raw;

  /// The value of the first header named `name` (ASCII case-insensitive) in the last
  /// response, without leading and trailing spaces and tabs; std::nullopt when absent.
  std::optional<std::string_view> find(std::string_view name) const;
};

/// A request's response checks and extractions (RequestSpec::checks and ::extracts),
/// compiled once when the plan arrives and then applied to every response. Immutable
/// after construction; const methods may run on several threads at once.
///
/// Semantics
/// - contains: the body contains the text (byte-wise).
/// - regex (checks and extractions): ECMAScript, searched anywhere in the body. An
///   extraction takes the first capture group (empty when the group did not take part in
///   the match), or the whole match when the pattern has no group.
/// - json == VALUE: the body is parsed as JSON (failing that, the check fails: "body is
///   not JSON"); the value at the JSON pointer (RFC 6901: "" is the whole document,
///   "~0" is '~', "~1" is '/', array elements by decimal index) must equal VALUE. When
///   VALUE itself parses as JSON the two compare as JSON values (`== 42`, `== true`,
///   `== "x"`, `== [1,2]`; 42 equals 42.0); otherwise the value must be a string equal
///   to VALUE as written (`== abc` matches "abc").
/// - json extraction: strings unquoted, other values as compact JSON (at most
///   kMaxExtractDepth levels deep, deeper fails).
/// - header extraction: Headers::find.
///
/// Cost. contains is a substring search. JSON parses the whole body into a DOM
/// (allocates; once per run_checks() call and once per extract() call that needs it).
/// std::regex is slow, and only requests with regex checks or extractions pay for it:
///   - a pattern that is plain text is searched as text, with no regex at all;
///   - a pattern starting with literal text (`"token":"([^"]*)"`, `id=(\d+)`) is tried
///     only where that text occurs, which makes most extractors cheap;
///   - otherwise the regex is tried at every position of the body: of the order of
///     0.1-0.5 us per byte (~10 ms for a 50 KB body).
/// Safety. libstdc++'s default (backtracking) regex engine recurses once per character a
/// repetition consumes and overflows an 8 MB stack on ~4-20 KB of input (`(.*)x`,
/// `(a|b)*`), and can take exponential time. So patterns run on its polynomial engine
/// (Thompson NFA): no deep recursion, no exponential blow-up; it finds a match exactly
/// when ECMAScript does, at the same place, but among alternatives that match there it
/// may prefer a longer one (`(foo|foobar)` captures "foobar" where ECMAScript gives
/// "foo"); lazy and greedy repetitions behave as ECMAScript's in the usual extractors.
/// Patterns with back-references (`(\w)\1`) need the backtracking engine and search only
/// bodies up to kMaxBacktrackingBytes; a larger body fails the check or extraction.
class CompiledChecks {
public:
  static constexpr size_t kMaxBacktrackingBytes = 1024;
  static constexpr size_t kMaxExtractDepth = 256;

  /// Compiles every check and extraction. Throws std::invalid_argument naming the
  /// check or extraction and the problem when a regex or JSON pointer is invalid (the
  /// broker validates them before planning; this is defence).
  CompiledChecks(const std::vector<wire::Check>& checks, const std::vector<wire::Extract>& extracts);
  /// No checks and no extractions (as is a moved-from object): everything passes.
  CompiledChecks();
  explicit CompiledChecks(const wire::RequestSpec& spec) : CompiledChecks(spec.checks, spec.extracts) {}
  CompiledChecks(CompiledChecks&&) noexcept;
  CompiledChecks& operator=(CompiledChecks&&) noexcept;
  ~CompiledChecks();

  /// Runs the checks in order. std::nullopt when all pass; otherwise a short message
  /// naming the first that failed, e.g. "check 'contains OK' failed" or "check 'json /id
  /// == 7' failed: body is not JSON". Messages depend on the check and the kind of
  /// failure only, never on the body, so they can be counted by text. Never throws.
  std::optional<std::string> run_checks(std::string_view body) const;

  /// Applies the extractions in order, setting each variable in `vars`. Returns false at
  /// the first that finds nothing, with `*missing` (when not null) set to its variable
  /// name; the variables set before it stay set. Never throws.
  bool extract(std::string_view body, const Headers& headers, UserVariables& vars, std::string* missing) const;

  bool has_checks() const;
  bool has_extracts() const;

private:
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace grid::agent
