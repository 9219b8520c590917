// CurveZMQ on the grid's TCP links (docs/adr/0014), end to end with real processes over
// loopback: keys made by `loadgrid keygen`, a broker that lets in only the keys it lists,
// relays and agents pinning their parent's key, and the loopback rule for plain TCP.
// Absence is only ever asserted next to its control: an unlisted subscriber gets no plan
// while a listed one, on the same broker at the same time, gets them.

#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>

#include "grid_fixture.hpp"
#include "protocol/common/curve_keys.hpp"
#include "protocol/common/endpoints.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE_EQUAL(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

/// Runs a command that must end by itself (a usage error, keygen); returns its exit code.
int exit_code_of(ChildProcess& process) {
  const auto code = process.wait_for_exit(30s);
  if (!code) throw std::runtime_error("the command did not end; stderr:\n" + process.err());
  return *code;
}

/// `loadgrid keygen PREFIX`; returns the public key (the .pub file's one line).
std::string keygen(const std::string& prefix) {
  ChildProcess keygen({kBinary, "keygen", prefix});
  BOOST_REQUIRE_EQUAL(exit_code_of(keygen), 0);
  std::string pub = read_text(prefix + ".pub");
  while (!pub.empty() && pub.back() == '\n') pub.pop_back();
  return pub;
}

ParentProcess start_parent(std::vector<std::string> argv) {
  return listening_parent(std::make_unique<ChildProcess>(argv));
}

/// A SUB socket in the test, subscribed to everything a parent publishes, as a CURVE
/// client with `own` keys pinning `parent_public`; counts what it receives.
struct Subscriber {
  zmq::socket_t socket;
  int messages = 0;
  Subscriber(zmq::context_t& context, const std::string& plans, const grid::common::CurveKeyPair& own,
             const std::string& parent_public)
      : socket(context, zmq::socket_type::sub) {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::curve_serverkey, parent_public);
    socket.set(zmq::sockopt::curve_publickey, own.public_key);
    socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
    socket.set(zmq::sockopt::subscribe, "");
    socket.connect(plans);
  }
  void drain() {
    zmq::message_t m;
    while (socket.recv(m, zmq::recv_flags::dontwait)) ++messages;
  }
};

std::vector<std::string> agent_ids(const nlohmann::json& summary) {
  std::vector<std::string> ids;
  for (const auto& a : summary.at("agents")) ids.push_back(a.at("id").get<std::string>());
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_security)

BOOST_AUTO_TEST_CASE(keygen_writes_a_secret_key_0600_and_a_public_key_0644_and_keeps_existing_files) {
  TempDir dir;
  const std::string prefix = dir.path() + "/node";
  ChildProcess first({kBinary, "keygen", prefix});
  BOOST_REQUIRE_EQUAL(exit_code_of(first), 0);
  BOOST_TEST(mode_of(prefix + ".key") == 0600u);
  BOOST_TEST(mode_of(prefix + ".pub") == 0644u);
  const std::string pub = read_text(prefix + ".pub");
  BOOST_TEST(pub.size() == 41u);  // 40 Z85 characters and a newline
  BOOST_TEST(contains(first.out(), "public key: " + pub), first.out());
  const auto pair = grid::common::load_key_file(prefix + ".key");
  BOOST_TEST(pair.public_key + "\n" == pub);
  BOOST_TEST(!contains(first.out(), pair.secret_key));  // the secret stays in the file

  ChildProcess again({kBinary, "keygen", prefix});
  BOOST_TEST(exit_code_of(again) == 2);
  BOOST_TEST(contains(again.err(), "already exists"), again.err());
  BOOST_TEST(contains(again.err(), "--force"), again.err());
  BOOST_TEST(read_text(prefix + ".pub") == pub);

  ChildProcess forced({kBinary, "keygen", prefix, "--force"});
  BOOST_REQUIRE_EQUAL(exit_code_of(forced), 0);
  BOOST_TEST(read_text(prefix + ".pub") != pub);
  BOOST_TEST(mode_of(prefix + ".key") == 0600u);

  ChildProcess missing({kBinary, "keygen"});
  BOOST_TEST(exit_code_of(missing) == 2);
  BOOST_TEST(contains(missing.err(), "missing PREFIX"), missing.err());
}

BOOST_AUTO_TEST_CASE(only_the_authorised_agent_joins_and_an_unlisted_key_never_gets_a_plan) {
  TargetProcess target;
  TempDir dir;
  const std::string keys = dir.path() + "/";
  const std::string broker_pub = keygen(keys + "broker");
  const std::string good_pub = keygen(keys + "good");
  const std::string bad_pub = keygen(keys + "bad");
  // Two subscribers in this test, to watch the broker's PUB: one listed, one not.
  const auto listed_spy = grid::common::generate_key_pair();
  const auto unlisted_spy = grid::common::generate_key_pair();
  std::ofstream(keys + "children.keys") << "# children of the test broker\n\n"
                                        << good_pub << "   # agent good\n"
                                        << listed_spy.public_key << "\n";
  auto broker =
      start_parent({kBinary, "broker", campaign_file(dir.path(), target, "2s", 4), "--listen", "tcp://127.0.0.1:0",
                    "--results", dir.path() + "/out", "--expect-agents", "1", "--expect-timeout", "30s", "--curve-key",
                    keys + "broker.key", "--authorized-keys", keys + "children.keys"});
  // The unlisted agent first: the broker must refuse it before the campaign exists.
  ChildProcess bad({kBinary, "agent", "--parent", broker.address, "--id", "bad", "--threads", "1", "--curve-key",
                    keys + "bad.key", "--parent-key", keys + "broker.pub"});
  const auto refusal = broker->wait_for_err_line("refused", 20s);
  BOOST_REQUIRE_MESSAGE(refusal, "the broker never refused the unlisted agent; stderr:\n" << broker->err());
  BOOST_TEST(contains(*refusal, bad_pub), *refusal);
  BOOST_TEST(contains(*refusal, "children.keys"), *refusal);

  zmq::context_t context(1);
  const std::string plans = grid::common::parent_endpoints(broker.address).value().plans;
  Subscriber listed(context, plans, listed_spy, broker_pub);
  Subscriber unlisted(context, plans, unlisted_spy, broker_pub);
  // The authorised agent takes its options from an INI file, as a deployment would.
  std::ofstream(keys + "good.ini") << "parent = " << broker.address << "\nid = good\nthreads = 1\n"
                                   << "curve-key = " << keys << "good.key\nparent-key = " << keys << "broker.pub\n";
  ChildProcess good({kBinary, "agent", "--config", keys + "good.ini"});

  // Watch both subscribers for the whole campaign, until the broker ends it (bounded).
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::optional<int> code;
  while (!code && std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t items[] = {{listed.socket.handle(), 0, ZMQ_POLLIN, 0},
                               {unlisted.socket.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, 50ms);
    listed.drain();
    unlisted.drain();
    code = broker->wait_for_exit(0ms);
  }
  BOOST_REQUIRE_MESSAGE(code, "broker did not finish: " << broker->err());
  BOOST_REQUIRE_EQUAL(*code, 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(agent_ids(summary) == std::vector<std::string>{"good"});
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(listed.messages > 0);     // the control: plans were published to listed keys
  BOOST_TEST(unlisted.messages == 0);  // and none reached an unlisted one
  // The listed keys were never refused.
  std::istringstream lines(broker->err());
  for (std::string line; std::getline(lines, line);) {
    if (contains(line, "refused")) BOOST_TEST(!contains(line, good_pub), line);
  }
  // The unlisted agent is still running, unharmed, and never started a campaign.
  BOOST_TEST(!bad.wait_for_exit(0ms).has_value());
  BOOST_TEST(!contains(bad.err(), "campaign"), bad.err());
  bad.signal(SIGTERM);
  good.signal(SIGTERM);
  BOOST_TEST(bad.wait_for_exit(30s).has_value());
  BOOST_TEST(good.wait_for_exit(30s).has_value());
}

BOOST_AUTO_TEST_CASE(a_curve_relay_between_a_curve_broker_and_agent_counts_exactly) {
  TargetProcess target;
  TempDir dir;
  const std::string keys = dir.path() + "/";
  const std::string relay_pub = keygen(keys + "relay");
  const std::string agent_pub = keygen(keys + "agent");
  keygen(keys + "broker");
  std::ofstream(keys + "broker-children.keys") << relay_pub << "\n";
  std::ofstream(keys + "relay-children.keys") << agent_pub << "\n";
  auto broker =
      start_parent({kBinary, "broker", campaign_file(dir.path(), target, "2s", 4), "--listen", "tcp://127.0.0.1:0",
                    "--results", dir.path() + "/out", "--expect-agents", "1", "--expect-timeout", "30s", "--curve-key",
                    keys + "broker.key", "--authorized-keys", keys + "broker-children.keys"});
  auto relay = start_parent({kBinary, "relay", "--parent", broker.address, "--listen", "tcp://127.0.0.1:0", "--id",
                             "relay", "--curve-key", keys + "relay.key", "--parent-key", keys + "broker.pub",
                             "--authorized-keys", keys + "relay-children.keys"});
  ChildProcess agent({kBinary, "agent", "--parent", relay.address, "--id", "agent", "--threads", "1", "--curve-key",
                      keys + "agent.key", "--parent-key", keys + "relay.pub"});
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(agent_ids(summary) == std::vector<std::string>{"agent"});
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(!contains(broker->err(), "refused"), broker->err());
  BOOST_TEST(!contains(relay->err(), "refused"), relay->err());
}

BOOST_AUTO_TEST_CASE(plain_tcp_beyond_loopback_without_insecure_is_a_usage_error_naming_insecure) {
  TempDir dir;
  const std::string campaign = dir.path() + "/c.ini";
  std::ofstream(campaign) << "[campaign]\nname = c\nduration = 1s\n[load]\nusers = 1\n"
                          << "[request.home]\nurl = http://127.0.0.1:1/\n";
  // Refused before anything binds or connects: 0.0.0.0 is never bound, and 192.0.2.1
  // (TEST-NET-1) is never contacted.
  const std::vector<std::vector<std::string>> commands = {
      {kBinary, "broker", campaign, "--listen", "tcp://0.0.0.0:0", "--expect-timeout", "1s"},
      {kBinary, "relay", "--parent", "tcp://192.0.2.1:5557", "--listen", "tcp://127.0.0.1:0"},
      {kBinary, "relay", "--parent", "tcp://127.0.0.1:5557", "--listen", "tcp://0.0.0.0:0"},
      {kBinary, "agent", "--parent", "tcp://192.0.2.1:5557"},
  };
  for (const auto& argv : commands) {
    BOOST_TEST_CONTEXT(argv[1] << " " << argv[argv.size() - 2] << " " << argv.back()) {
      ChildProcess node(argv);
      BOOST_TEST(exit_code_of(node) == 2);
      BOOST_TEST(contains(node.err(), "is not a loopback address"), node.err());
      BOOST_TEST(contains(node.err(), "--insecure"), node.err());
      BOOST_TEST(contains(node.err(), "--curve-key"), node.err());
    }
  }
}

BOOST_AUTO_TEST_CASE(key_options_given_by_halves_or_malformed_are_usage_errors_naming_file_and_line) {
  TempDir dir;
  const std::string keys = dir.path() + "/";
  keygen(keys + "node");
  const std::string campaign = dir.path() + "/c.ini";
  std::ofstream(campaign) << "[campaign]\nname = c\nduration = 1s\n[load]\nusers = 1\n"
                          << "[request.home]\nurl = http://127.0.0.1:1/\n";
  std::ofstream(keys + "bad.keys") << "# fine\n" << read_text(keys + "node.pub") << "not-a-key\n";
  struct Case {
    std::vector<std::string> argv;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{kBinary, "broker", campaign, "--curve-key", keys + "node.key"}, "--curve-key needs --authorized-keys"},
      {{kBinary, "broker", campaign, "--authorized-keys", keys + "node.pub"}, "--authorized-keys needs --curve-key"},
      {{kBinary, "broker", campaign, "--curve-key", keys + "node.key", "--authorized-keys", keys + "bad.keys"},
       keys + "bad.keys:3: "},
      {{kBinary, "agent", "--parent", "tcp://127.0.0.1:5557", "--curve-key", keys + "node.key"},
       "--curve-key needs --parent-key"},
      {{kBinary, "agent", "--parent", "tcp://127.0.0.1:5557", "--curve-key", keys + "node.key", "--parent-key",
        keys + "node.key"},
       keys + "node.key:3: "},
      {{kBinary, "agent", "--parent", "tcp://127.0.0.1:5557", "--curve-key", keys + "node.pub", "--parent-key",
        keys + "node.pub"},
       keys + "node.pub:1: a bare key"},
      {{kBinary, "relay", "--parent", "tcp://127.0.0.1:5557", "--curve-key", keys + "node.key"},
       "--curve-key needs --authorized-keys (the children's keys) or --parent-key"},
      {{kBinary, "agent", "--parent", "tcp://127.0.0.1:5557", "--curve-key", keys + "absent.key", "--parent-key",
        keys + "node.pub"},
       keys + "absent.key: cannot read"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.expected) {
      ChildProcess node(c.argv);
      BOOST_TEST(exit_code_of(node) == 2);
      BOOST_TEST(contains(node.err(), c.expected), node.err());
    }
  }
}

BOOST_AUTO_TEST_CASE(insecure_is_accepted_on_loopback_by_every_node_without_a_warning) {
  TargetProcess target;
  TempDir dir;
  const std::string campaign = campaign_file(dir.path(), target, "1s", 2);
  auto broker = start_parent({kBinary, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results",
                              dir.path() + "/out", "--expect-agents", "1", "--expect-timeout", "30s", "--insecure"});
  // The relay reads it from its INI file.
  std::ofstream(dir.path() + "/relay.ini")
      << "parent = " << broker.address << "\nlisten = tcp://127.0.0.1:0\nid = relay\ninsecure = true\n";
  auto relay = start_parent({kBinary, "relay", "--config", dir.path() + "/relay.ini"});
  ChildProcess agent({kBinary, "agent", "--parent", relay.address, "--id", "agent", "--threads", "1", "--insecure"});
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  BOOST_TEST(read_json(dir.path() + "/out/summary.json")["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(!contains(broker->err(), "warning: --insecure"), broker->err());
  BOOST_TEST(!contains(relay->err(), "warning: --insecure"), relay->err());
  BOOST_TEST(!contains(agent.err(), "warning: --insecure"), agent.err());

  ChildProcess run(
      {kBinary, "run", campaign, "--results", dir.path() + "/run", "--threads", "1", "--quiet", "--insecure"});
  BOOST_TEST(run_to_end(run) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
