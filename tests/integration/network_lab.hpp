#pragma once

// Network namespaces standing for separate hosts, for multi-host tests (as root): each
// host is a namespace whose `eth0` is one end of a veth pair; the other ends are ports of
// a bridge in a switch namespace of its own. Nothing touches the test's own namespace:
// every address and route lives in namespaces the lab created, and the lab deletes them.

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace grid::test {

/// The `ip` binary of iproute2, or "" when it is not installed.
inline std::string ip_binary() {
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

/// Runs `ip ARGS...` to its end (bounded); returns its exit code and what it wrote to
/// stderr (127 when it could not start).
inline std::pair<int, std::string> run_ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv{ip_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess ip(argv);
  const auto code = ip.wait_for_exit(std::chrono::seconds(20));
  return {code.value_or(-1), ip.err()};
}

/// Why no network namespace can be made here (no iproute2, not root, no CAP_NET_ADMIN or
/// CAP_SYS_ADMIN, a container that forbids it), or std::nullopt when one can: probes by
/// creating one and deleting it again.
inline std::optional<std::string> network_namespaces_unavailable() {
  if (ip_binary().empty()) return "iproute2's `ip` is not installed (scripts/install-deps.sh installs it)";
  const std::string probe = "lgt" + std::to_string(::getpid()) + "-probe";
  auto [code, err] = run_ip({"netns", "add", probe});
  if (code != 0) {
    while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
    return "`ip netns add` failed (exit " + std::to_string(code) + "; it needs root or CAP_SYS_ADMIN and " +
           "CAP_NET_ADMIN): " + err;
  }
  run_ip({"netns", "delete", probe});
  return std::nullopt;
}

/// A switch and a few hosts, each in its own network namespace, named `lgt<pid>-<name>`
/// (unique per test program, so parallel runs never meet). Host i (in the order given,
/// from 1) has 10.88.0.i/24 on its `eth0`, plugged into the switch's bridge through port
/// `v<name>`; its loopback is up too. The destructor deletes every namespace created,
/// also after a failed test; namespaces left by a test program that was killed (its pid
/// gone) are deleted by the next lab.
class NetworkLab {
public:
  /// Throws std::runtime_error naming the `ip` command that failed (after deleting what
  /// it had created). Host names: at most 12 characters (interface names are short).
  explicit NetworkLab(const std::vector<std::string>& hosts) : prefix_("lgt" + std::to_string(::getpid()) + "-") {
    remove_stale_namespaces();
    try {
      const std::string sw = add_namespace("switch");
      ip({"-n", sw, "link", "add", "br0", "type", "bridge"});
      ip({"-n", sw, "link", "set", "br0", "up"});
      for (const auto& host : hosts) {
        const std::string ns = add_namespace(host);
        const std::string address = "10.88.0." + std::to_string(addresses_.size() + 1);
        const std::string port = "v" + host;
        ip({"-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns});
        ip({"-n", sw, "link", "set", port, "master", "br0"});
        ip({"-n", sw, "link", "set", port, "up"});
        ip({"-n", ns, "addr", "add", address + "/24", "dev", "eth0"});
        ip({"-n", ns, "link", "set", "eth0", "up"});
        ip({"-n", ns, "link", "set", "lo", "up"});
        addresses_[host] = address;
      }
    } catch (...) {
      remove_namespaces();
      throw;
    }
  }
  ~NetworkLab() { remove_namespaces(); }
  NetworkLab(const NetworkLab&) = delete;
  NetworkLab& operator=(const NetworkLab&) = delete;

  /// The host's IPv4 address (10.88.0.i).
  const std::string& address(const std::string& host) const { return addresses_.at(host); }

  /// `argv` run inside the host's namespace: `ip netns exec NS argv...`. `ip` execs the
  /// command in place, so the process it starts keeps its pid (signals reach the node).
  std::vector<std::string> command(const std::string& host, const std::vector<std::string>& argv) const {
    addresses_.at(host);  // throws for an unknown host
    std::vector<std::string> full{ip_binary(), "netns", "exec", prefix_ + host};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
  }

  /// Cuts the host's cable: its switch port goes down, so nothing goes in or out of its
  /// `eth0` (no reset is sent either: TCP peers just stop hearing from each other).
  void cut(const std::string& host) { ip({"-n", prefix_ + "switch", "link", "set", "v" + host, "down"}); }
  /// Plugs the cable back in.
  void restore(const std::string& host) { ip({"-n", prefix_ + "switch", "link", "set", "v" + host, "up"}); }

private:
  void ip(const std::vector<std::string>& args) {
    const auto [code, err] = run_ip(args);
    if (code != 0) {
      std::ostringstream command;
      command << "ip";
      for (const auto& a : args) command << ' ' << a;
      throw std::runtime_error("network lab: `" + command.str() + "` exited " + std::to_string(code) + ": " + err);
    }
  }

  std::string add_namespace(const std::string& name) {
    const std::string ns = prefix_ + name;
    ip({"netns", "add", ns});
    created_.push_back(ns);
    return ns;
  }

  void remove_namespaces() {
    // Hosts first, the switch (created first) last; the veth pairs go with them.
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) run_ip({"netns", "delete", *it});
    created_.clear();
  }

  // Deletes `lgt<pid>-*` namespaces whose test program no longer exists (killed before
  // its destructors ran, e.g. by a ctest timeout). Namespaces of running programs stay.
  static void remove_stale_namespaces() {
    ChildProcess list({ip_binary(), "netns", "list"});
    if (list.wait_for_exit(std::chrono::seconds(20)).value_or(-1) != 0) return;
    std::istringstream lines(list.out());
    for (std::string line; std::getline(lines, line);) {
      const std::string name = line.substr(0, line.find(' '));  // "NAME (id: N)"
      if (name.rfind("lgt", 0) != 0) continue;
      const auto dash = name.find('-');
      if (dash == std::string::npos || dash == 3) continue;
      const std::string digits = name.substr(3, dash - 3);
      if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
      const auto pid = static_cast<pid_t>(std::stol(digits));
      if (::kill(pid, 0) != 0 && errno == ESRCH) run_ip({"netns", "delete", name});
    }
  }

  std::string prefix_;
  std::vector<std::string> created_;              // namespaces made, in order
  std::map<std::string, std::string> addresses_;  // host -> 10.88.0.i
};

}  // namespace grid::test
