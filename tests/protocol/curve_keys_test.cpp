// Key files and authorised-keys lists (protocol/common/curve_keys.*): parsing is pure and
// every error names the file and the line; writing sets the modes exactly.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/config_error.hpp"
#include "protocol/common/curve_keys.hpp"
#include "sample_messages.hpp"
#include "support/child_process.hpp"

using namespace grid;
using grid::test::error_of;

namespace {

// A fixed pair (zmq_curve_keypair output) and a second one, for mismatches.
const common::CurveKeyPair kPair = common::generate_key_pair();
const common::CurveKeyPair kOther = common::generate_key_pair();

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

mode_t mode_of(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curve_keys)

BOOST_AUTO_TEST_CASE(curve_is_available_in_this_libzmq) { BOOST_TEST(common::curve_available()); }

BOOST_AUTO_TEST_CASE(a_generated_pair_is_two_z85_keys_and_the_public_one_derives_from_the_secret) {
  BOOST_TEST(common::is_z85_key(kPair.public_key));
  BOOST_TEST(common::is_z85_key(kPair.secret_key));
  BOOST_TEST(common::public_key_of(kPair.secret_key) == kPair.public_key);
  BOOST_TEST(kPair.public_key != kOther.public_key);
}

BOOST_AUTO_TEST_CASE(z85_keys_are_40_characters_of_the_alphabet_with_each_group_below_2_to_the_32) {
  BOOST_TEST(!common::is_z85_key(""));
  BOOST_TEST(!common::is_z85_key(kPair.public_key.substr(1)));
  BOOST_TEST(!common::is_z85_key(kPair.public_key + "0"));
  std::string bad = kPair.public_key;
  bad[7] = ' ';
  BOOST_TEST(!common::is_z85_key(bad));
  bad[7] = '"';
  BOOST_TEST(!common::is_z85_key(bad));
  // "#####" is 85^5 - 1, above 2^32 - 1: not four bytes.
  BOOST_TEST(!common::is_z85_key(std::string(40, '#')));
  BOOST_TEST(common::is_z85_key(std::string(40, '0')));
  BOOST_TEST(common::public_key_of("not a key").empty());
}

BOOST_AUTO_TEST_CASE(a_key_file_round_trips_and_holds_both_keys_on_labelled_lines) {
  const std::string text = common::format_key_file(kPair);
  BOOST_TEST(contains(text, "public-key = " + kPair.public_key + "\n"));
  BOOST_TEST(contains(text, "secret-key = " + kPair.secret_key + "\n"));
  const auto parsed = common::parse_key_file(text, "node.key");
  BOOST_TEST_REQUIRE(parsed.ok(), error_of(parsed));
  BOOST_TEST(parsed.value().public_key == kPair.public_key);
  BOOST_TEST(parsed.value().secret_key == kPair.secret_key);
}

BOOST_AUTO_TEST_CASE(a_key_file_with_the_secret_key_alone_derives_the_public_one) {
  const auto parsed = common::parse_key_file("\n  # mine\nsecret-key=" + kPair.secret_key + "  \r\n", "k.key");
  BOOST_TEST_REQUIRE(parsed.ok(), error_of(parsed));
  BOOST_TEST(parsed.value().public_key == kPair.public_key);
}

BOOST_AUTO_TEST_CASE(key_file_errors_name_the_file_and_line_and_never_quote_the_secret) {
  const auto error = [](const std::string& text) {
    const auto r = common::parse_key_file(text, "keys/node.key");
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(!contains(r.error(), kPair.secret_key), r.error());
    return r.error();
  };
  BOOST_TEST(contains(error("public-key = " + kPair.public_key + "\n"), "keys/node.key: no secret-key line"));
  BOOST_TEST(contains(error("# c\nsecret-key = " + kPair.secret_key.substr(0, 39) + "\n"),
                      "keys/node.key:2: secret-key: a key is 40 characters"));
  BOOST_TEST(contains(error("secret-key = " + kPair.secret_key + "\npublic-key = " + kOther.public_key + "\n"),
                      "keys/node.key:2: public-key does not belong to the secret key"));
  BOOST_TEST(contains(error("secret-key = " + kPair.secret_key + "\nsecret-key = " + kPair.secret_key),
                      "keys/node.key:2: secret-key given twice"));
  BOOST_TEST(contains(error("\n\nsecret = " + kPair.secret_key), "keys/node.key:3: unknown setting 'secret'"));
  // A bare key (a .pub file given as --curve-key) says so. '=' is a Z85 digit: text
  // before it that is not a plain word is never quoted (it may be part of a secret).
  BOOST_TEST(contains(error(kPair.secret_key + "\n"), "keys/node.key:1: a bare key"));
  BOOST_TEST(contains(error(common::format_public_key_file(kPair)), "is this a .pub file?"));
  BOOST_TEST(contains(error("Ab1%%" + std::string(36, '=') + "\n"), "keys/node.key:1: not a setting"));
  BOOST_TEST(contains(error(std::string(12, 'a') + "\n"), "keys/node.key:1: expected 'public-key = KEY'"));
}

BOOST_AUTO_TEST_CASE(authorized_keys_skip_comments_and_blank_lines_and_allow_a_comment_after_a_key) {
  const std::string text = "# children of broker-eu\n\n   \n" + kPair.public_key + "\n\t" + kOther.public_key +
                           "   # agent-b1 \r\n# " + kPair.public_key + " (commented out twice is fine)\n";
  const auto keys = common::parse_authorized_keys(text, "authorized");
  BOOST_TEST_REQUIRE(keys.ok(), error_of(keys));
  BOOST_TEST(keys.value().source == "authorized");
  BOOST_TEST(keys.value().keys.size() == 2u);
  BOOST_TEST(keys.value().keys.count(kPair.public_key) == 1u);
  BOOST_TEST(keys.value().keys.count(kOther.public_key) == 1u);
}

BOOST_AUTO_TEST_CASE(an_empty_authorized_keys_file_is_valid_and_lets_nobody_in) {
  const auto keys = common::parse_authorized_keys("# nobody yet\n", "empty");
  BOOST_TEST_REQUIRE(keys.ok(), error_of(keys));
  BOOST_TEST(keys.value().keys.empty());
}

BOOST_AUTO_TEST_CASE(no_key_starts_with_a_hash_so_a_hash_line_is_always_a_comment) {
  // '#' and '$' are the Z85 digits 84 and 83: a group starting with them is above 2^32.
  for (const char first : {'#', '$'}) {
    std::string key(40, '0');
    key[0] = first;
    BOOST_TEST(!common::is_z85_key(key), key);
  }
  std::string largest(40, '0');
  largest.replace(0, 5, "%nSc0");  // 2^32 - 1
  BOOST_TEST(common::is_z85_key(largest));
  largest.replace(0, 5, "%nSc1");  // 2^32
  BOOST_TEST(!common::is_z85_key(largest));
  // A commented-out key (no blank after '#', 41 characters) is a comment.
  const auto keys = common::parse_authorized_keys("#" + kPair.public_key + "\n" + kOther.public_key + "\n", "f");
  BOOST_TEST_REQUIRE(keys.ok(), error_of(keys));
  BOOST_TEST(keys.value().keys.size() == 1u);
  BOOST_TEST(keys.value().keys.count(kOther.public_key) == 1u);
}

BOOST_AUTO_TEST_CASE(a_malformed_authorized_keys_line_is_an_error_naming_file_and_line) {
  const auto error = [](const std::string& text) {
    const auto r = common::parse_authorized_keys(text, "conf/children.keys");
    BOOST_TEST_REQUIRE(!r.ok());
    return r.error();
  };
  BOOST_TEST(contains(error(kPair.public_key + "\n\nshort\n"), "conf/children.keys:3: a key is 40 characters"));
  BOOST_TEST(contains(error(kPair.public_key + " agent-1\n"), "conf/children.keys:1: text after the key"));
  std::string bad = kPair.public_key;
  bad[3] = '~';
  BOOST_TEST(contains(error("# x\n" + bad + "\n"), "conf/children.keys:2: not a Z85 key"));
}

BOOST_AUTO_TEST_CASE(a_parent_key_file_holds_exactly_one_key) {
  const auto one = common::parse_public_key_file(common::format_public_key_file(kPair), "broker.pub");
  BOOST_TEST_REQUIRE(one.ok(), error_of(one));
  BOOST_TEST(one.value() == kPair.public_key);
  const auto none = common::parse_public_key_file("# empty\n", "broker.pub");
  BOOST_TEST_REQUIRE(!none.ok());
  BOOST_TEST(contains(none.error(), "broker.pub: expected exactly one public key"), none.error());
  const auto two = common::parse_public_key_file(kPair.public_key + "\n" + kOther.public_key + "\n", "both.pub");
  BOOST_TEST_REQUIRE(!two.ok());
  BOOST_TEST(contains(two.error(), "found 2"), two.error());
  // A secret key file is not a public key file: the error says which line is wrong.
  const auto secret = common::parse_public_key_file(common::format_key_file(kPair), "node.key");
  BOOST_TEST_REQUIRE(!secret.ok());
  BOOST_TEST(contains(secret.error(), "node.key:3:"), secret.error());
  BOOST_TEST(!contains(secret.error(), kPair.secret_key), secret.error());
}

BOOST_AUTO_TEST_CASE(written_key_files_have_modes_0600_and_0644_whatever_the_umask_and_load_back) {
  grid::test::TempDir dir;
  const std::string prefix = dir.path() + "/node";
  const mode_t old = ::umask(0);  // the widest umask: the modes must still be exact
  common::write_key_files(prefix, kPair, false);
  ::umask(old);
  BOOST_TEST(mode_of(prefix + ".key") == 0600u);
  BOOST_TEST(mode_of(prefix + ".pub") == 0644u);
  std::string warning;
  const auto pair = common::load_key_file(prefix + ".key", &warning);
  BOOST_TEST(pair.secret_key == kPair.secret_key);
  BOOST_TEST(pair.public_key == kPair.public_key);
  BOOST_TEST(warning.empty(), warning);
  BOOST_TEST(common::load_public_key_file(prefix + ".pub") == kPair.public_key);
  BOOST_TEST(common::load_authorized_keys(prefix + ".pub").keys.count(kPair.public_key) == 1u);
  // No temporary file left behind.
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 2);
}

BOOST_AUTO_TEST_CASE(existing_key_files_are_kept_unless_overwrite_is_asked) {
  grid::test::TempDir dir;
  const std::string prefix = dir.path() + "/node";
  std::ofstream(prefix + ".pub") << "old\n";
  try {
    common::write_key_files(prefix, kPair, false);
    BOOST_FAIL("an existing .pub was replaced");
  } catch (const common::ConfigError& e) {
    BOOST_TEST(contains(e.what(), prefix + ".pub: already exists"), e.what());
    BOOST_TEST(contains(e.what(), "--force"), e.what());
  }
  BOOST_TEST(!std::filesystem::exists(prefix + ".key"));  // nothing half written
  common::write_key_files(prefix, kPair, true);
  BOOST_TEST(common::load_public_key_file(prefix + ".pub") == kPair.public_key);
  BOOST_TEST(mode_of(prefix + ".key") == 0600u);
}

BOOST_AUTO_TEST_CASE(a_secret_key_file_others_may_read_loads_with_a_warning) {
  grid::test::TempDir dir;
  const std::string path = dir.path() + "/open.key";
  std::ofstream(path) << common::format_key_file(kPair);
  ::chmod(path.c_str(), 0644);
  std::string warning;
  common::load_key_file(path, &warning);
  BOOST_TEST(contains(warning, "mode 644"), warning);
  BOOST_TEST(contains(warning, "chmod 600"), warning);
}

BOOST_AUTO_TEST_CASE(a_missing_or_malformed_file_is_a_config_error_naming_it) {
  grid::test::TempDir dir;
  BOOST_CHECK_EXCEPTION(common::load_key_file(dir.path() + "/absent.key"), common::ConfigError,
                        [&](const common::ConfigError& e) {
                          return contains(e.what(), dir.path() + "/absent.key: cannot read the secret key file");
                        });
  const std::string path = dir.path() + "/children";
  std::ofstream(path) << kPair.public_key << "\noops\n";
  BOOST_CHECK_EXCEPTION(common::load_authorized_keys(path), common::ConfigError,
                        [&](const common::ConfigError& e) { return contains(e.what(), path + ":2: "); });
}

BOOST_AUTO_TEST_SUITE_END()
