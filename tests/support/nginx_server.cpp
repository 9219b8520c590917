#include "support/nginx_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

// Ports. nginx cannot listen on port 0, and handing it sockets we bound (the NGINX
// environment variable) crashes it in single-process mode (ngx_event_process_init reads
// the connection of an inherited socket that has none). So each port is reserved by a
// socket bound to 127.0.0.1:0 with SO_REUSEPORT that never listens, held until nginx has
// stopped, and nginx binds the same port with `listen ... reuseport` (allowed: same user,
// both sockets SO_REUSEPORT). No other test can be given the port meanwhile, connections
// go only to nginx's listening socket, and a connect succeeds only once nginx listens,
// which is how readiness is detected.
//
// One process. With master_process on, killing the master (a ctest timeout kills the test
// program, and ChildProcess's PR_SET_PDEATHSIG then kills nginx) would orphan its worker,
// which would keep serving forever. master_process off keeps nginx a single process that
// dies with the test program and stops by its PID.

namespace grid::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void require_executable(const std::string& path, const char* package) {
  if (::access(path.c_str(), X_OK) != 0) {
    throw std::runtime_error("NginxServer: " + path + " is missing or not executable; install Debian's " + package +
                             " (bash scripts/install-deps.sh installs it)");
  }
}

// Runs a short command to completion; throws with its stderr if it fails.
void run_tool(const std::vector<std::string>& argv) {
  ChildProcess tool(argv);
  const std::optional<int> code = tool.wait_for_exit(std::chrono::seconds(30));
  if (code != 0) {
    std::string command;
    for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
    throw std::runtime_error("NginxServer: `" + command + "` " +
                             (code ? "exited with " + std::to_string(*code) : std::string("did not finish in 30 s")) +
                             ": " + tool.err());
  }
}

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', begin);
    fields.push_back(line.substr(begin, tab - begin));
    if (tab == std::string::npos) return fields;
    begin = tab + 1;
  }
}

std::string unless_dash(const std::string& value) { return value == "-" ? std::string() : value; }

std::string url(const char* scheme, std::uint16_t port, std::string_view path) {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + std::string(path);
}

}  // namespace

NginxServer::ReservedPort::ReservedPort() {
  fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("NginxServer: socket: ") + std::strerror(errno));
  const int on = 1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
      ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("NginxServer: reserving a loopback port: " + error);
  }
  port = ntohs(address.sin_port);
}

NginxServer::ReservedPort::~ReservedPort() {
  if (fd >= 0) ::close(fd);
}

NginxServer::NginxServer() : NginxServer(Options{}) {}

NginxServer::NginxServer(Options options) : options_(std::move(options)) {
  require_executable(options_.nginx_binary, "nginx-light");
  require_executable(options_.openssl_binary, "openssl");
  std::filesystem::create_directories(dir_.path() + "/temp");
  make_certificates();
  write_config();
  // -e stderr: errors found before the config's error_log applies (nginx would otherwise
  // try /var/log/nginx/error.log, which a non-root user cannot open).
  nginx_ = std::make_unique<ChildProcess>(std::vector<std::string>{
      options_.nginx_binary, "-e", "stderr", "-p", dir_.path() + "/", "-c", dir_.path() + "/nginx.conf"});
  wait_until_listening();
}

NginxServer::~NginxServer() { stop(); }

void NginxServer::make_certificates() {
  const std::string& dir = dir_.path();
  ca_file_ = dir + "/ca.crt";
  const std::vector<std::string> ec_key = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
  std::vector<std::string> ca = {options_.openssl_binary, "req", "-x509"};
  ca.insert(ca.end(), ec_key.begin(), ec_key.end());
  ca.insert(ca.end(),
            {"-keyout", dir + "/ca.key", "-out", ca_file_, "-days", "2", "-subj", "/CN=loadgrid test CA", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  run_tool(ca);
  // req -x509 -CA (OpenSSL 3) issues the server certificate in one step.
  std::vector<std::string> server = {options_.openssl_binary, "req", "-x509", "-CA", ca_file_, "-CAkey",
                                     dir + "/ca.key"};
  server.insert(server.end(), ec_key.begin(), ec_key.end());
  server.insert(server.end(), {"-keyout", dir + "/server.key", "-out", dir + "/server.crt", "-days", "2", "-subj",
                               "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext",
                               "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"});
  run_tool(server);
}

void NginxServer::write_config() const {
  const std::string& dir = dir_.path();
  const std::string loopback = "127.0.0.1:";
  std::ofstream conf(dir + "/nginx.conf");
  conf << "# Written by tests/support/nginx_server.cpp for one test; removed with this directory.\n"
       << "daemon off;\n"
       << "master_process off;\n"
       // As root nginx would look up the user `nobody` to own its temp dirs; as anyone else
       // the directive only draws a warning.
       << (::geteuid() == 0 ? "user root;\n" : "") << "pid " << dir << "/nginx.pid;\n"
       << "error_log stderr warn;\n"
       << "events { worker_connections 1024; }\n"
       << "http {\n"
       << "  client_body_temp_path " << dir << "/temp/client_body;\n"
       << "  proxy_temp_path " << dir << "/temp/proxy;\n"
       << "  fastcgi_temp_path " << dir << "/temp/fastcgi;\n"
       << "  uwsgi_temp_path " << dir << "/temp/uwsgi;\n"
       << "  scgi_temp_path " << dir << "/temp/scgi;\n"
       << "  log_format loadgrid '$server_port\\t$server_protocol\\t$status\\t$request_method\\t$request_uri\\t"
          "$ssl_protocol\\t$http_x_token\\t$connection\\t$connection_requests';\n"
       << "  access_log " << dir << "/access.log loadgrid;\n"
       << "  default_type text/plain;\n"
       << "  keepalive_requests 100000;\n"
       << "  server {\n"
       << "    listen " << loopback << http_.port << " reuseport;\n"
       << "    listen " << loopback << h2c_.port << " http2 reuseport;\n"
       << "    listen " << loopback << tls_.port << " ssl http2 reuseport;\n"
       << "    server_name localhost;\n"
       << "    root " << dir << "/html;\n"
       << "    ssl_certificate " << dir << "/server.crt;\n"
       << "    ssl_certificate_key " << dir << "/server.key;\n"
       << "    ssl_protocols TLSv1.2 TLSv1.3;\n"
       << "    location = / { return 200 \"nginx fixture\\n\"; }\n"
       << "    location = /json { default_type application/json; return 200 '{\"token\":\"abc\"}'; }\n"
       << options_.extra_server_config << "\n"
       << "  }\n"
       << "}\n";
  if (!conf.flush()) throw std::runtime_error("NginxServer: cannot write " + dir + "/nginx.conf");
}

void NginxServer::wait_until_listening() {
  const auto deadline = Clock::now() + options_.start_timeout;
  for (const std::uint16_t port : {http_.port, h2c_.port, tls_.port}) {
    while (!accepts_connections(port)) {
      // Checked after the connect, so an nginx that exits right after listening on the
      // last port is still reported.
      if (const std::optional<int> code = nginx_->wait_for_exit(std::chrono::milliseconds(0))) {
        throw std::runtime_error("NginxServer: nginx exited with " + std::to_string(*code) +
                                 " before listening: " + nginx_->err());
      }
      if (Clock::now() >= deadline) {
        throw std::runtime_error("NginxServer: nginx did not listen on 127.0.0.1:" + std::to_string(port) + " within " +
                                 std::to_string(options_.start_timeout.count()) + " ms: " + nginx_->err());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

std::string NginxServer::http_url(std::string_view path) const { return url("http", http_.port, path); }
std::string NginxServer::h2c_url(std::string_view path) const { return url("http", h2c_.port, path); }
std::string NginxServer::https_url(std::string_view path) const { return url("https", tls_.port, path); }

pid_t NginxServer::pid() const { return stopped_ ? -1 : nginx_->pid(); }

std::vector<AccessLogLine> NginxServer::access_log() const {
  std::vector<AccessLogLine> lines;
  const std::string all = slurp(dir_.path() + "/access.log");
  // Complete lines only: nginx may be writing the last one.
  for (std::size_t begin = 0, end; (end = all.find('\n', begin)) != std::string::npos; begin = end + 1) {
    const std::vector<std::string> fields = split_tabs(all.substr(begin, end - begin));
    if (fields.size() != 9) {
      throw std::runtime_error("NginxServer: unexpected access log line: " + all.substr(begin, end - begin));
    }
    AccessLogLine line;
    line.server_port = static_cast<std::uint16_t>(std::stoul(fields[0]));
    line.protocol = unless_dash(fields[1]);
    line.status = std::stoi(fields[2]);
    line.method = unless_dash(fields[3]);
    line.uri = unless_dash(fields[4]);
    line.ssl_protocol = unless_dash(fields[5]);
    line.x_token = unless_dash(fields[6]);
    line.connection = std::stoull(fields[7]);
    line.connection_requests = std::stoull(fields[8]);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<AccessLogLine> NginxServer::wait_for_access_log(std::size_t lines,
                                                            std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::vector<AccessLogLine> log = access_log();
    if (log.size() >= lines || Clock::now() >= deadline) return log;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string NginxServer::error_output() const { return nginx_->err(); }

void NginxServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  // SIGQUIT is nginx's graceful shutdown; the fallback SIGKILL is the ChildProcess's.
  nginx_->signal(SIGQUIT);
  if (!nginx_->wait_for_exit(std::chrono::seconds(3))) {
    nginx_->signal(SIGKILL);
    nginx_->wait_for_exit(std::chrono::seconds(5));
  }
}

}  // namespace grid::test
