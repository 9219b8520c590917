#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.hpp"

namespace grid::test {

/// One request as nginx logged it: a record written by a server we did not write, so tests
/// can assert what was really negotiated. nginx logs "-" for an empty value; it is read back
/// as an empty string. nginx escapes '"', '\\' and bytes outside 0x20..0x7e as "\\xHH".
struct AccessLogLine {
  /// $server_port: the listener that served the request (compare with the fixture's ports).
  std::uint16_t server_port = 0;
  /// $server_protocol: "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0".
  std::string protocol;
  /// $status.
  int status = 0;
  /// $request_method.
  std::string method;
  /// $request_uri: the path and query as the client sent them.
  std::string uri;
  /// $ssl_protocol: "TLSv1.3" or "TLSv1.2" on the TLS listener, empty on the others.
  std::string ssl_protocol;
  /// $http_x_token: the request's X-Token header, empty when it had none.
  std::string x_token;
  /// $connection: the serial number of the connection that carried the request.
  std::uint64_t connection = 0;
  /// $connection_requests: how many requests that connection had carried, this one included.
  std::uint64_t connection_requests = 0;
};

/// Debian's nginx (package nginx-light) on loopback for tests that need a real HTTP server
/// we did not write: one HTTP/1.1 listener, one h2c listener (HTTP/2 by prior knowledge
/// only), and one TLS listener offering h2 and http/1.1 by ALPN, with a certificate for
/// 127.0.0.1 and localhost signed by a throwaway CA made for this instance (ca_file()).
///
/// Locations: `/` answers 200 "nginx fixture\n" (text/plain) and `/json` answers 200
/// {"token":"abc"} (application/json), for any method; anything else is 404. Every request
/// is logged to access_log().
///
/// nginx runs as one process (master_process off), as the test user, with its config,
/// certificates, logs and temp files in a fresh temp dir; it dies with the test program
/// (ChildProcess) and the destructor stops it (SIGQUIT, then SIGKILL, by its PID) and
/// removes the dir. Its ports are reserved race-free before it starts (see the .cpp).
class NginxServer {
public:
  struct Options {
    std::string nginx_binary = "/usr/sbin/nginx";
    std::string openssl_binary = "/usr/bin/openssl";
    /// How long nginx may take to listen on all three ports.
    std::chrono::milliseconds start_timeout{10'000};
    /// nginx directives added inside the server block (extra locations for one test).
    std::string extra_server_config;
  };

  /// Generates the certificates, starts nginx and waits until every port accepts
  /// connections.
  /// @throws std::runtime_error when nginx or openssl is missing (naming the package to
  ///         install), openssl fails, or nginx exits or does not listen in time; the
  ///         message includes the failing tool's stderr.
  explicit NginxServer(Options options);
  NginxServer();
  /// stop(), then removes the temp dir.
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  /// Cleartext HTTP/1.1.
  std::uint16_t http_port() const { return http_.port; }
  /// Cleartext HTTP/2 by prior knowledge (an HTTP/1.1 request there gets no answer).
  std::uint16_t h2c_port() const { return h2c_.port; }
  /// TLS with ALPN h2 and http/1.1.
  std::uint16_t tls_port() const { return tls_.port; }

  /// "http://127.0.0.1:PORT" + path, for each listener ("https://" for the TLS one).
  std::string http_url(std::string_view path = "/") const;
  std::string h2c_url(std::string_view path = "/") const;
  std::string https_url(std::string_view path = "/") const;

  /// PEM of the CA that signed the server certificate (SANs IP:127.0.0.1, DNS:localhost).
  const std::string& ca_file() const { return ca_file_; }
  /// The temp dir holding nginx.conf, the certificates and the logs.
  const std::string& directory() const { return dir_.path(); }
  /// nginx's PID while it runs, -1 after stop().
  pid_t pid() const;

  /// Every request logged so far, in order. nginx writes a line just after sending the
  /// response, so a client may see its response before the line exists: use
  /// wait_for_access_log to wait for it.
  std::vector<AccessLogLine> access_log() const;
  /// Polls access_log() until it has at least `lines` lines or `timeout` passes.
  /// @return access_log() at that point (check its size).
  std::vector<AccessLogLine> wait_for_access_log(std::size_t lines,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  /// What nginx has written to stderr (its error log, level warn and above), also after
  /// stop().
  std::string error_output() const;

  /// Stops nginx: SIGQUIT, then SIGKILL if it has not exited within 3 s. Idempotent.
  void stop();

private:
  /// A loopback port held for nginx: bound to 127.0.0.1:0 with SO_REUSEPORT, never
  /// listening, closed by the destructor.
  struct ReservedPort {
    ReservedPort();
    ~ReservedPort();
    ReservedPort(const ReservedPort&) = delete;
    ReservedPort& operator=(const ReservedPort&) = delete;
    int fd = -1;
    std::uint16_t port = 0;
  };

  void make_certificates();
  void write_config() const;
  void wait_until_listening();

  Options options_;
  TempDir dir_;
  std::string ca_file_;
  ReservedPort http_;
  ReservedPort h2c_;
  ReservedPort tls_;
  // Set once nginx has started: the constructor either sets it or throws.
  std::unique_ptr<ChildProcess> nginx_;
  bool stopped_ = false;
};

}  // namespace grid::test
