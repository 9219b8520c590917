#pragma once

#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/curve_keys.hpp"

namespace grid::common {

/// How a node secures its TCP links (docs/adr/0014). One value per node: a relay passes
/// the same one to both of its sides.
/// - A parent side (ChildrenLink) is a CURVE server when `key` and `authorized` are set:
///   its PUB and PULL sockets take only clients whose public key is authorised (checked
///   by a ZapAuthenticator the link owns).
/// - A child side (ParentLink) is a CURVE client when `key` and `parent_key` are set: its
///   SUB and PUSH sockets talk only to the parent holding that key.
/// - Otherwise the side is plain TCP, which the command line allows only on loopback
///   unless `--insecure` (see plain_tcp_check).
/// Inproc links ignore all of it (ZeroMQ runs no security mechanism on inproc).
struct LinkSecurity {
  std::optional<CurveKeyPair> key;           // this node's key pair (--curve-key)
  std::optional<AuthorizedKeys> authorized;  // children let in (--authorized-keys)
  std::optional<std::string> parent_key;     // the parent's public key, Z85 (--parent-key)
  bool insecure = false;                     // --insecure: plain TCP allowed beyond loopback

  bool server() const { return key.has_value() && authorized.has_value(); }
  bool client() const { return key.has_value() && parent_key.has_value(); }
};

/// The ZAP domain of loadgrid's CURVE servers (ZeroMQ passes it to the ZAP handler).
inline constexpr const char* kZapDomain = "loadgrid";

/// Makes a parent's socket a CURVE server with this node's secret key when
/// `security.server()`, else leaves it plain. Call before bind.
void secure_server(zmq::socket_t& socket, const LinkSecurity& security);

/// Makes a child's socket a CURVE client pinning the parent's public key when
/// `security.client()`, else leaves it plain. Call before connect.
void secure_client(zmq::socket_t& socket, const LinkSecurity& security);

/// The hosts of every tcp:// endpoint in `address` (a --listen or --parent value, which
/// may hold several), brackets of IPv6 literals removed; inproc endpoints give none.
/// Pure.
std::vector<std::string> tcp_hosts(const std::string& address);

/// True for 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and "localhost" (any case).
/// Names that merely resolve to loopback are not: the check must not depend on DNS.
/// Pure.
bool is_loopback_host(const std::string& host);

/// What the command line says about one side of a node: an error (a usage error, exit
/// 2), a warning to print, or neither.
struct SecurityCheck {
  std::string error;
  std::string warning;
};

/// The loopback rule for one side. `option` names it ("--listen", "--parent"),
/// `address` is its value, `secured` whether that side uses CURVE, `insecure` whether
/// --insecure was given, and `how_to_secure` names the options that would secure it
/// ("--curve-key and --authorized-keys"). Plain TCP to a host that is not loopback is an
/// error without --insecure and a warning with it. Pure.
SecurityCheck plain_tcp_check(const std::string& option, const std::string& address, bool secured, bool insecure,
                              const std::string& how_to_secure);

}  // namespace grid::common
