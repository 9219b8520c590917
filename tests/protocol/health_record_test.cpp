// The health file's content (docs/adr/0024): encode/decode round trips, a table of
// malformed inputs each refused with a reason, and a property test: random mutations of
// valid records and random bytes never make the decoder throw or crash.

#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/health_record.hpp"

using grid::common::decode_health_record;
using grid::common::encode_health_record;
using grid::common::HealthRecord;

namespace {

HealthRecord sample_agent() {
  HealthRecord r;
  r.node = "agent-a1";
  r.role = "agent";
  r.state = "running";
  r.parent_connected = true;
  r.time_unix_ms = 1'767'225'600'123;
  r.pid = 4242;
  return r;
}

bool same(const HealthRecord& a, const HealthRecord& b) {
  return a.node == b.node && a.role == b.role && a.state == b.state && a.parent_connected == b.parent_connected &&
         a.time_unix_ms == b.time_unix_ms && a.pid == b.pid;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health_record)

BOOST_AUTO_TEST_CASE(a_record_is_one_line_of_json_with_the_documented_fields) {
  BOOST_TEST(encode_health_record(sample_agent()) ==
             "{\"node\":\"agent-a1\",\"role\":\"agent\",\"state\":\"running\",\"parent_connected\":true,"
             "\"time_unix_ms\":1767225600123,\"pid\":4242}\n");
}

BOOST_AUTO_TEST_CASE(a_record_round_trips_with_and_without_a_parent) {
  auto agent = sample_agent();
  auto decoded = decode_health_record(encode_health_record(agent));
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(same(decoded.value(), agent));
  agent.parent_connected = false;
  BOOST_TEST(same(decode_health_record(encode_health_record(agent)).value(), agent));
  auto broker = sample_agent();
  broker.role = "broker";
  broker.parent_connected.reset();  // the broker has no parent
  const auto line = encode_health_record(broker);
  BOOST_TEST(line.find("parent_connected") == std::string::npos);
  BOOST_TEST(!decode_health_record(line).value().parent_connected.has_value());
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored_for_newer_writers) {
  auto decoded = decode_health_record(
      R"({"node":"r1","role":"relay","state":"idle","time_unix_ms":5,"pid":7,"children":3,"extra":{"a":[1]}})");
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded.value().node == "r1");
}

BOOST_AUTO_TEST_CASE(malformed_content_is_refused_naming_what_is_wrong) {
  struct Case {
    std::string content;
    std::string reason;
  };
  const std::string big(5000, ' ');
  const std::vector<Case> cases = {
      {"", "empty"},
      {" \n", "empty"},
      {"{", "not JSON"},
      {"node=agent", "not JSON"},
      {"{\"node\":\"a\"} trailing", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"null", "not a JSON object"},
      {R"({"role":"agent","state":"idle","time_unix_ms":1,"pid":1})", "field \"node\" missing"},
      {R"({"node":7,"role":"agent","state":"idle","time_unix_ms":1,"pid":1})", "field \"node\" is not a string"},
      {R"({"node":"","role":"agent","state":"idle","time_unix_ms":1,"pid":1})", "field \"node\" is empty"},
      {R"({"node":"a\u0007b","role":"agent","state":"idle","time_unix_ms":1,"pid":1})",
       "field \"node\" has a control character"},
      {R"({"node":"a","state":"idle","time_unix_ms":1,"pid":1})", "field \"role\" missing"},
      {R"({"node":"a","role":"agent","time_unix_ms":1,"pid":1})", "field \"state\" missing"},
      {R"({"node":"a","role":"agent","state":"idle","pid":1})", "field \"time_unix_ms\" missing"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":"1","pid":1})",
       "field \"time_unix_ms\" is not an integer"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":1.5,"pid":1})",
       "field \"time_unix_ms\" is not an integer"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":18446744073709551615,"pid":1})",
       "field \"time_unix_ms\" is out of range"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":1})", "field \"pid\" missing"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":1,"pid":0})", "field \"pid\" is not a process id"},
      {R"({"node":"a","role":"agent","state":"idle","time_unix_ms":1,"pid":1,"parent_connected":"yes"})",
       "field \"parent_connected\" is not true or false"},
      {"{\"node\":\"a\"," + big + "}", "longer than 4096 bytes"},
  };
  for (const auto& c : cases) {
    const auto decoded = decode_health_record(c.content);
    BOOST_TEST_CONTEXT("content: " << c.content.substr(0, 80)) {
      BOOST_TEST_REQUIRE(!decoded.ok());
      BOOST_TEST(decoded.error().find(c.reason) == 0, decoded.error() << " starts with " << c.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(deeply_nested_content_is_refused_without_crashing) {
  const std::string nested = std::string(4000, '[') + std::string(4000, ']');
  BOOST_TEST(!decode_health_record(nested).ok());
  const std::string unclosed(4096, '{');
  BOOST_TEST(!decode_health_record(unclosed).ok());
}

BOOST_AUTO_TEST_CASE(mutated_records_and_random_bytes_never_throw) {
  std::mt19937_64 rng(20261202);
  const std::string valid = encode_health_record(sample_agent());
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      const size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[at] = static_cast<char>(rng() & 0xff);
          break;
        case 1:
          s.erase(at, 1 + rng() % 8);
          break;
        case 2:
          s.insert(at, 1, "{}[]\",:0\\u-e"[rng() % 12]);
          break;
        default:
          s.resize(at);
      }
    }
    if (i % 4 == 0) {  // pure noise too
      s.resize(rng() % 200);
      for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    }
    HealthRecord decoded;
    BOOST_REQUIRE_NO_THROW({
      const auto r = decode_health_record(s);
      if (r.ok()) {
        decoded = r.value();
        ++accepted;
      }
    });
    if (decoded.pid != 0) {
      // Whatever is accepted is a valid record that round-trips.
      BOOST_TEST(same(decode_health_record(encode_health_record(decoded)).value(), decoded));
    }
  }
  BOOST_TEST(accepted > 0u);  // some mutations (a digit changed) stay valid
}

BOOST_AUTO_TEST_SUITE_END()
