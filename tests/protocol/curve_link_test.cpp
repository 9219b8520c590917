// CurveZMQ on a real hop over loopback TCP: a ChildrenLink that is a CURVE server with a
// ZAP handler, and ParentLinks that are CURVE clients, with and without the right keys.
// Absence ("never got a plan") is checked only once the refused handshakes have been
// seen to happen (ZAP refusals, or the server socket's monitor), while an authorised
// child on the same link did get plans: no sleeps, every wait bounded.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "protocol/common/children_link.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/common/zap_authenticator.hpp"
#include "protocol/common/zmq_io.hpp"

using namespace grid;
using namespace std::chrono_literals;

namespace {

struct NoHandler : common::ChildrenLink::Handler {
  void on_stats(const std::string&, wire::StatsReport) override {}
  void on_log(const std::string&, const wire::LogRecord&, const std::string&) override {}
  void on_membership_changed() override {}
  void on_child_lost(const common::ChildInfo&) override {}
};

common::LinkSecurity server_security(const common::CurveKeyPair& own, const std::vector<std::string>& children) {
  common::LinkSecurity s;
  s.key = own;
  s.authorized = common::AuthorizedKeys{"children.keys", {children.begin(), children.end()}};
  return s;
}

common::LinkSecurity client_security(const common::CurveKeyPair& own, const std::string& parent_public) {
  common::LinkSecurity s;
  s.key = own;
  s.parent_key = parent_public;
  return s;
}

common::ChildrenLink make_link(zmq::context_t& context, const common::LinkSecurity& security) {
  return common::ChildrenLink(
      context, "tcp://127.0.0.1:0", 1000ms, common::SystemClock::instance(),
      [] { return common::SystemClock::instance().wall_now(); }, "parent", common::make_logger("parent"), security);
}

std::unique_ptr<common::ParentLink> make_child(zmq::context_t& context, const std::string& address,
                                               const std::string& id, const common::LinkSecurity& security) {
  auto child =
      std::make_unique<common::ParentLink>(context, address, id, common::SystemClock::instance(),
                                           common::make_logger(id), common::ParentLinkOptions{.security = security});
  child->send(wire::Hello{});
  return child;
}

/// Counts the handshakes a server socket saw fail, through the socket monitor: for
/// protocol reasons (mechanism mismatch, a box it cannot open), or with no detail (the
/// client saw the mismatch first and hung up mid-handshake).
class HandshakeMonitor : public zmq::monitor_t {
public:
  HandshakeMonitor(zmq::socket_t& socket, const std::string& name) {
    init(socket, "inproc://monitor." + name,
         ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  }
  int failed = 0;
  int succeeded = 0;
  void poll_events() {
    while (check_event(0)) {
    }
  }

private:
  void on_event_handshake_failed_protocol(const zmq_event_t&, const char*) override { ++failed; }
  void on_event_handshake_failed_no_detail(const zmq_event_t&, const char*) override { ++failed; }
  void on_event_handshake_succeeded(const zmq_event_t&, const char*) override { ++succeeded; }
};

/// Publishes fresh plans and lets everyone read until `done` holds or 10 s pass; returns
/// whether it held. Each step waits (bounded) on the parent's reports socket.
template <class Done>
bool exchange_until(common::ChildrenLink& link, const std::vector<common::ParentLink*>& children,
                    std::vector<std::optional<wire::Plan>>& received, Done done) {
  NoHandler handler;
  wire::Plan plan;
  plan.epoch = 1;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    ++plan.epoch;
    link.publish(plan);
    zmq::pollitem_t item{link.reports().handle(), 0, ZMQ_POLLIN, 0};
    common::poll(&item, 1, 20ms);
    link.drain(handler);
    for (size_t i = 0; i < children.size(); ++i) {
      children[i]->flush();
      if (auto p = children[i]->receive(0)) received[i] = std::move(p);
    }
    if (done()) return true;
  }
  return false;
}

bool has_child(const common::ChildrenLink& link, const std::string& id) {
  return link.registry().children().count(id) > 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curve_link)

BOOST_AUTO_TEST_CASE(an_authorised_child_joins_and_gets_plans_and_an_unlisted_key_is_refused_both_ways) {
  const auto parent_key = common::generate_key_pair();
  const auto good_key = common::generate_key_pair();
  const auto bad_key = common::generate_key_pair();
  zmq::context_t parent_context(1), children_context(1);
  auto link = make_link(parent_context, server_security(parent_key, {good_key.public_key}));
  auto good =
      make_child(children_context, link.bound_address(), "good", client_security(good_key, parent_key.public_key));
  auto bad = make_child(children_context, link.bound_address(), "bad", client_security(bad_key, parent_key.public_key));
  std::vector<std::optional<wire::Plan>> received(2);
  // The unlisted child's two sockets (SUB and PUSH) are each refused by the ZAP handler.
  const bool settled = exchange_until(link, {good.get(), bad.get()}, received, [&] {
    return received[0].has_value() && has_child(link, "good") && link.refused_handshakes() >= 2;
  });
  BOOST_TEST_REQUIRE(settled, "good plan: " << received[0].has_value() << ", good joined: " << has_child(link, "good")
                                            << ", refused: " << link.refused_handshakes());
  BOOST_TEST(!has_child(link, "bad"));   // its hello never arrived
  BOOST_TEST(!received[1].has_value());  // nor did any plan reach it
  BOOST_TEST(link.registry().children().size() == 1u);
}

BOOST_AUTO_TEST_CASE(children_without_keys_or_pinning_another_parent_key_get_nothing) {
  const auto parent_key = common::generate_key_pair();
  const auto impostor_key = common::generate_key_pair();
  const auto child_key = common::generate_key_pair();
  // Plain TCP to a CURVE server: the mechanisms differ. An authorised key pinning another
  // parent: the parent cannot open its hello box (nor would the child trust the answer).
  const std::vector<std::pair<std::string, common::LinkSecurity>> cases = {
      {"plain", common::LinkSecurity{}}, {"pinned-elsewhere", client_security(child_key, impostor_key.public_key)}};
  for (const auto& [name, security] : cases) {
    BOOST_TEST_CONTEXT(name) {
      // A fresh link per case: the authorised child's handshakes succeed, so every failed
      // one the monitor sees is this case's child.
      zmq::context_t parent_context(1), children_context(1);
      auto link = make_link(parent_context, server_security(parent_key, {child_key.public_key}));
      HandshakeMonitor monitor(link.reports(), name);
      auto good =
          make_child(children_context, link.bound_address(), "good", client_security(child_key, parent_key.public_key));
      auto refused = make_child(children_context, link.bound_address(), name, security);
      std::vector<std::optional<wire::Plan>> received(2);
      const bool settled = exchange_until(link, {good.get(), refused.get()}, received, [&] {
        monitor.poll_events();
        return received[0].has_value() && has_child(link, "good") && monitor.failed >= 1;
      });
      BOOST_TEST_REQUIRE(settled, "good plan: " << received[0].has_value()
                                                << ", good joined: " << has_child(link, "good")
                                                << ", failed handshakes: " << monitor.failed);
      BOOST_TEST(link.registry().children().size() == 1u);
      BOOST_TEST(!received[1].has_value());
      BOOST_TEST(link.refused_handshakes() == 0u);  // refused before the ZAP handler is asked
    }
  }
}

BOOST_AUTO_TEST_CASE(a_plain_link_still_works_without_any_keys) {
  zmq::context_t context(1);
  auto link = make_link(context, common::LinkSecurity{});
  auto child = make_child(context, link.bound_address(), "plain", common::LinkSecurity{});
  std::vector<std::optional<wire::Plan>> received(1);
  BOOST_TEST(exchange_until(link, {child.get()}, received,
                            [&] { return received[0].has_value() && has_child(link, "plain"); }));
}

BOOST_AUTO_TEST_CASE(a_second_zap_handler_in_one_context_is_refused_naming_the_endpoint) {
  zmq::context_t context(1);
  common::ZapAuthenticator first(context, {}, common::make_logger("zap"));
  try {
    common::ZapAuthenticator second(context, {}, common::make_logger("zap"));
    BOOST_FAIL("two ZAP handlers bound one context");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("inproc://zeromq.zap.01") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(zap_decision)

namespace {

std::string binary_of(const std::string& z85) {
  std::string out(32, '\0');
  zmq_z85_decode(reinterpret_cast<uint8_t*>(out.data()), z85.c_str());
  return out;
}

std::vector<std::string> curve_request(const std::string& key_z85, const std::string& domain = common::kZapDomain) {
  return {"1.0", "req-7", domain, "127.0.0.1", "", "CURVE", binary_of(key_z85)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_listed_curve_key_is_allowed_with_its_key_as_user_id) {
  const auto key = common::generate_key_pair();
  const auto d = common::decide_zap(curve_request(key.public_key), {key.public_key});
  BOOST_TEST(d.allowed);
  BOOST_TEST(d.client_key == key.public_key);
  BOOST_TEST(d.address == "127.0.0.1");
  BOOST_TEST((d.reply == std::vector<std::string>{"1.0", "req-7", "200", "OK", key.public_key, ""}));
}

BOOST_AUTO_TEST_CASE(an_unlisted_key_another_domain_or_mechanism_is_refused_with_400) {
  const auto key = common::generate_key_pair();
  const auto other = common::generate_key_pair();
  for (const auto& request : {curve_request(other.public_key), curve_request(key.public_key, "elsewhere"),
                              std::vector<std::string>{"1.0", "r", common::kZapDomain, "a", "", "NULL"},
                              std::vector<std::string>{"1.0", "r", common::kZapDomain, "a", "", "PLAIN", "u", "p"},
                              std::vector<std::string>{"1.0", "r", common::kZapDomain, "a", "", "CURVE", "short"}}) {
    const auto d = common::decide_zap(request, {key.public_key});
    BOOST_TEST(!d.allowed);
    BOOST_REQUIRE_EQUAL(d.reply.size(), 6u);
    BOOST_TEST(d.reply[2] == "400");
    BOOST_TEST(d.reply[4].empty());  // no user id for a refusal
  }
}

BOOST_AUTO_TEST_CASE(a_malformed_request_gets_500_and_echoes_the_request_id) {
  const auto d = common::decide_zap({"2.0", "abc", common::kZapDomain, "a", "", "CURVE", std::string(32, 'k')}, {});
  BOOST_TEST(!d.allowed);
  BOOST_TEST(d.reply[1] == "abc");
  BOOST_TEST(d.reply[2] == "500");
  BOOST_TEST(common::decide_zap({"1.0"}, {}).reply[2] == "500");
}

BOOST_AUTO_TEST_SUITE_END()
