#pragma once

#include <set>
#include <string>
#include <string_view>

#include "protocol/common/result.hpp"

namespace grid::common {

/// CurveZMQ keys as loadgrid stores them (docs/adr/0014): Z85 text, 40 characters for 32
/// bytes. The parsing and formatting functions are pure (text in, text or an error out)
/// and their errors name the file and the line; the load and write functions do the file
/// I/O around them and throw ConfigError (a usage error) or std::runtime_error.

/// A node's long-term key pair, both in Z85.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

/// The public keys a parent lets in (`--authorized-keys`), in Z85, and the file they
/// came from (named in log lines about refused children).
struct AuthorizedKeys {
  std::string source;
  std::set<std::string> keys;
};

/// True when libzmq was built with CURVE (zmq_has("curve")).
bool curve_available();

/// What to say when it is not: names the library and how to get one that has it.
std::string curve_unavailable_message();

/// True for a well-formed Z85 key: 40 characters of the Z85 alphabet that decode to 32
/// bytes (each 5-character group below 2^32).
bool is_z85_key(std::string_view text);

/// The public key that goes with a Z85 secret key (zmq_curve_public); "" when `secret`
/// is not a well-formed key.
std::string public_key_of(std::string_view secret);

/// A fresh key pair (zmq_curve_keypair). Throws std::runtime_error when CURVE is not
/// available.
CurveKeyPair generate_key_pair();

/// The secret key file (`PREFIX.key`): two labelled lines, `public-key = Z85` and
/// `secret-key = Z85`, after a comment saying what the file is.
std::string format_key_file(const CurveKeyPair& pair);

/// Parses a secret key file. `#` lines and blank lines are ignored; `secret-key` is
/// required; `public-key` is optional (it is derived from the secret key) but must match
/// it when present. Errors read "PATH:LINE: what was wrong" (or "PATH: ..." for the
/// file as a whole) and never quote a secret key. Pure.
Result<CurveKeyPair> parse_key_file(std::string_view text, const std::string& path);

/// The public key file (`PREFIX.pub`): the Z85 key alone on one line.
std::string format_public_key_file(const CurveKeyPair& pair);

/// Parses a list of public keys (`--authorized-keys`): one Z85 key per line, optionally
/// followed by blanks and a `#` comment (`KEY  # agent-a1`); lines starting with `#`
/// are comments and blank lines are ignored. '#' is a Z85 digit, but never the first of a
/// key (a group's first digit is at most '%', as 85^4 * 84 > 2^32), so a comment is never
/// a key. Any other line is an error naming PATH:LINE. Pure.
Result<AuthorizedKeys> parse_authorized_keys(std::string_view text, const std::string& path);

/// Parses a parent's public key file (`--parent-key PARENT.pub`): the same format as
/// authorized keys, holding exactly one key. Pure.
Result<std::string> parse_public_key_file(std::string_view text, const std::string& path);

/// Reads and parses these files. A file that cannot be read or does not parse throws
/// ConfigError naming it. load_key_file also reports (through `warning`, when not null)
/// a secret key file that group or others may read.
CurveKeyPair load_key_file(const std::string& path, std::string* warning = nullptr);
AuthorizedKeys load_authorized_keys(const std::string& path);
std::string load_public_key_file(const std::string& path);

/// Writes `PREFIX.key` (mode 0600) and `PREFIX.pub` (mode 0644), the modes set exactly
/// whatever the umask. Without `overwrite`, an existing file of either name is a
/// ConfigError naming it (and --force), and nothing is written. Each file is written
/// under a temporary name and renamed, so a reader never sees half a key and the secret
/// key is never readable by others, even for a moment. Throws std::runtime_error when a
/// file cannot be written.
void write_key_files(const std::string& prefix, const CurveKeyPair& pair, bool overwrite);

}  // namespace grid::common
