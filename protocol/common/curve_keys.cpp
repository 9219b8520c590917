#include "protocol/common/curve_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "protocol/common/config_error.hpp"

namespace grid::common {
namespace {

constexpr size_t kZ85KeyLength = 40;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr std::string_view kBlanks = " \t\r";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlanks) - first + 1);
}

/// The file's lines, numbered from 1.
std::vector<std::pair<size_t, std::string_view>> lines_of(std::string_view text) {
  std::vector<std::pair<size_t, std::string_view>> lines;
  size_t number = 1;
  for (size_t begin = 0; begin <= text.size(); ++number) {
    const auto end = text.find('\n', begin);
    const auto stop = end == std::string_view::npos ? text.size() : end;
    lines.emplace_back(number, text.substr(begin, stop - begin));
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  return lines;
}

std::string at(const std::string& path, size_t line) { return path + ":" + std::to_string(line) + ": "; }

/// What is wrong with a word that was meant to be a Z85 key, without quoting it (it may
/// be a secret).
std::string key_problem(std::string_view word) {
  if (word.size() != kZ85KeyLength) {
    return "a key is 40 characters of Z85 (as loadgrid keygen writes it), this has " + std::to_string(word.size());
  }
  return "not a Z85 key (characters outside the Z85 alphabet, or a value too large)";
}

/// The key on an authorized-keys line; std::nullopt when the line is blank, a comment or
/// wrong (then `problem` says why).
std::optional<std::string_view> key_word(std::string_view line, std::string& problem) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return std::nullopt;
  const auto blank = line.find_first_of(kBlanks);
  const std::string_view word = line.substr(0, blank);
  if (is_z85_key(word)) {
    const std::string_view rest = blank == std::string_view::npos ? std::string_view{} : trim(line.substr(blank));
    if (!rest.empty() && rest.front() != '#') {
      problem = "text after the key (a comment after a key starts with '#')";
      return std::nullopt;
    }
    return word;
  }
  problem = key_problem(word);
  return std::nullopt;
}

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the " + what + " (" + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

/// Writes `text` to `path` with exactly `mode`, through a temporary file in the same
/// directory created with that mode (never wider) and renamed over `path`.
void write_file(const std::string& path, const std::string& text, mode_t mode) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const auto fail = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    throw std::runtime_error(path + ": cannot " + what + " (" + why + ")");
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error(temp + ": cannot create (" + std::strerror(errno) + ")");
  // The umask may have narrowed the mode; set it exactly (it never widens a secret key
  // beyond 0600).
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    fail("set the mode");
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("write");
  }
  if (::close(fd) != 0) fail("write");
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("rename " + temp + " to it");
}

}  // namespace

bool curve_available() { return zmq_has("curve") != 0; }

std::string curve_unavailable_message() {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  return "this libzmq (" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch) +
         ") was built without CURVE (zmq_has(\"curve\") is false): install a libzmq built with libsodium (Debian's "
         "libzmq5 is)";
}

bool is_z85_key(std::string_view text) {
  if (text.size() != kZ85KeyLength) return false;
  for (char c : text) {
    if (kZ85Alphabet.find(c) == std::string_view::npos) return false;
  }
  // Each group of 5 characters encodes 4 bytes: its value must fit in 32 bits (libzmq
  // 4.3 checks this itself, older ones silently wrap).
  for (size_t group = 0; group < kZ85KeyLength; group += 5) {
    uint64_t value = 0;
    for (size_t i = 0; i < 5; ++i) value = value * 85 + kZ85Alphabet.find(text[group + i]);
    if (value > 0xFFFFFFFFull) return false;
  }
  return true;
}

std::string public_key_of(std::string_view secret) {
  if (!is_z85_key(secret)) return {};
  const std::string secret_text(secret);
  std::array<char, kZ85KeyLength + 1> out{};
  if (zmq_curve_public(out.data(), secret_text.c_str()) != 0) return {};
  return std::string(out.data(), kZ85KeyLength);
}

CurveKeyPair generate_key_pair() {
  if (!curve_available()) throw std::runtime_error(curve_unavailable_message());
  std::array<char, kZ85KeyLength + 1> pub{}, sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
    throw std::runtime_error(std::string("zmq_curve_keypair failed: ") + zmq_strerror(zmq_errno()));
  }
  return CurveKeyPair{std::string(pub.data(), kZ85KeyLength), std::string(sec.data(), kZ85KeyLength)};
}

std::string format_key_file(const CurveKeyPair& pair) {
  return "# loadgrid CurveZMQ key pair (loadgrid keygen). SECRET: keep this file to this node, mode 0600.\n"
         "# Give the .pub file (the public key alone) to the nodes that must trust this one.\n"
         "public-key = " +
         pair.public_key + "\nsecret-key = " + pair.secret_key + "\n";
}

Result<CurveKeyPair> parse_key_file(std::string_view text, const std::string& path) {
  std::optional<std::pair<size_t, std::string>> secret, pub;
  for (const auto& [number, raw] : lines_of(text)) {
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (is_z85_key(line)) {
      return Error{at(path, number) +
                   "a bare key, not 'secret-key = KEY' (is this a .pub file? --curve-key takes the .key file)"};
    }
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Error{at(path, number) + "expected 'public-key = KEY' or 'secret-key = KEY'"};
    }
    const std::string_view name = trim(line.substr(0, equals));
    const std::string_view value = trim(line.substr(equals + 1));
    auto* slot = name == "secret-key" ? &secret : name == "public-key" ? &pub : nullptr;
    if (!slot) {
      // '=' is a Z85 digit: what precedes it may be part of a secret key, so only a
      // short word of letters and dashes (a misspelt name) is quoted.
      const bool word = !name.empty() && name.size() <= 16 &&
                        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz-_") == std::string_view::npos;
      return Error{at(path, number) + (word ? "unknown setting '" + std::string(name) + "'" : "not a setting") +
                   " (expected 'public-key = KEY' or 'secret-key = KEY')"};
    }
    if (*slot) return Error{at(path, number) + std::string(name) + " given twice"};
    if (!is_z85_key(value)) return Error{at(path, number) + std::string(name) + ": " + key_problem(value)};
    *slot = std::make_pair(number, std::string(value));
  }
  if (!secret) return Error{path + ": no secret-key line (is this a .pub file? --curve-key takes the .key file)"};
  CurveKeyPair pair{public_key_of(secret->second), secret->second};
  if (pair.public_key.empty()) return Error{at(path, secret->first) + "secret-key: " + key_problem(secret->second)};
  if (pub && pub->second != pair.public_key) {
    return Error{at(path, pub->first) + "public-key does not belong to the secret key in this file"};
  }
  return pair;
}

std::string format_public_key_file(const CurveKeyPair& pair) { return pair.public_key + "\n"; }

Result<AuthorizedKeys> parse_authorized_keys(std::string_view text, const std::string& path) {
  AuthorizedKeys out{path, {}};
  for (const auto& [number, line] : lines_of(text)) {
    std::string problem;
    const auto word = key_word(line, problem);
    if (!problem.empty()) return Error{at(path, number) + problem};
    if (word) out.keys.emplace(*word);
  }
  return out;
}

Result<std::string> parse_public_key_file(std::string_view text, const std::string& path) {
  auto keys = parse_authorized_keys(text, path);
  if (!keys) return Error{keys.error()};
  if (keys.value().keys.size() != 1) {
    return Error{path + ": expected exactly one public key (the parent's .pub file), found " +
                 std::to_string(keys.value().keys.size())};
  }
  return *keys.value().keys.begin();
}

CurveKeyPair load_key_file(const std::string& path, std::string* warning) {
  auto pair = parse_key_file(read_file(path, "secret key file"), path);
  if (!pair) throw ConfigError(pair.error());
  struct stat st {};
  if (warning && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    *warning = path + ": the secret key file may be read by group or others (mode " +
               std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
               std::to_string(st.st_mode & 7) + "); chmod 600 it";
  }
  return pair.value();
}

AuthorizedKeys load_authorized_keys(const std::string& path) {
  auto keys = parse_authorized_keys(read_file(path, "authorized keys file"), path);
  if (!keys) throw ConfigError(keys.error());
  return keys.value();
}

std::string load_public_key_file(const std::string& path) {
  auto key = parse_public_key_file(read_file(path, "public key file"), path);
  if (!key) throw ConfigError(key.error());
  return key.value();
}

void write_key_files(const std::string& prefix, const CurveKeyPair& pair, bool overwrite) {
  const std::string key_path = prefix + ".key", pub_path = prefix + ".pub";
  if (!overwrite) {
    for (const auto& path : {key_path, pub_path}) {
      if (exists(path)) throw ConfigError(path + ": already exists; give --force to replace it (and its pair)");
    }
  }
  write_file(key_path, format_key_file(pair), 0600);
  write_file(pub_path, format_public_key_file(pair), 0644);
}

}  // namespace grid::common
