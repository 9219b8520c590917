// The NginxServer fixture (tests/support/nginx_server.*): Debian's nginx on loopback with
// HTTP/1.1, h2c and h2-over-TLS listeners. libcurl fetches over each, and both what curl
// negotiated and what nginx logged must agree. nginx missing is a failure, not a skip: CI
// installs it (scripts/install-deps.sh).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "support/nginx_server.hpp"

namespace {

using grid::test::AccessLogLine;
using grid::test::NginxServer;

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  long http_version = 0;  // CURL_HTTP_VERSION_1_1, CURL_HTTP_VERSION_2_0, ...
  std::string body;
  std::string content_type;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

// One request with a fresh easy handle, so each fetch negotiates its own connection.
// `http_version` is a CURL_HTTP_VERSION_*; an empty `ca_file` leaves curl's default trust
// store; `resolve` holds CURLOPT_RESOLVE entries ("host:port:address").
Fetched fetch(const std::string& url, long http_version, const std::string& ca_file = {},
              const std::vector<std::string>& headers_to_send = {}, const std::vector<std::string>& resolve_to = {}) {
  Fetched fetched;
  CURL* curl = curl_easy_init();
  BOOST_REQUIRE(curl != nullptr);
  curl_slist* headers = nullptr;
  for (const std::string& header : headers_to_send) headers = curl_slist_append(headers, header.c_str());
  curl_slist* resolve = nullptr;
  for (const std::string& entry : resolve_to) resolve = curl_slist_append(resolve, entry.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, http_version);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fetched.body);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  fetched.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &fetched.status);
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &fetched.http_version);
  const char* content_type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) fetched.content_type = content_type;
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  curl_slist_free_all(resolve);
  return fetched;
}

// The one line nginx logged for the one request a test made.
AccessLogLine only_log_line(const NginxServer& nginx) {
  const std::vector<AccessLogLine> log = nginx.wait_for_access_log(1);
  BOOST_REQUIRE_EQUAL(log.size(), 1u);
  return log.front();
}

bool accepts_connections(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nginx_server)

BOOST_AUTO_TEST_CASE(plain_listener_speaks_http11) {
  NginxServer nginx;
  const Fetched fetched = fetch(nginx.http_url("/?q=1"), CURL_HTTP_VERSION_1_1, "", {"X-Token: plain-1"});
  BOOST_REQUIRE_EQUAL(fetched.code, CURLE_OK);
  BOOST_TEST(fetched.status == 200);
  BOOST_TEST(fetched.http_version == CURL_HTTP_VERSION_1_1);
  BOOST_TEST(fetched.body == "nginx fixture\n");
  const AccessLogLine line = only_log_line(nginx);
  BOOST_TEST(line.server_port == nginx.http_port());
  BOOST_TEST(line.protocol == "HTTP/1.1");
  BOOST_TEST(line.status == 200);
  BOOST_TEST(line.method == "GET");
  BOOST_TEST(line.uri == "/?q=1");
  BOOST_TEST(line.ssl_protocol.empty());
  BOOST_TEST(line.x_token == "plain-1");
}

BOOST_AUTO_TEST_CASE(the_access_log_names_each_requests_connection_and_its_count_on_it) {
  NginxServer nginx;
  CURL* curl = curl_easy_init();
  BOOST_REQUIRE(curl != nullptr);
  std::string body;
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  // One handle: its two requests share a keep-alive connection; a fresh one does not.
  const std::string url = nginx.http_url("/");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  BOOST_TEST(curl_easy_perform(curl) == CURLE_OK);
  BOOST_TEST(curl_easy_perform(curl) == CURLE_OK);
  curl_easy_cleanup(curl);
  BOOST_TEST(fetch(url, CURL_HTTP_VERSION_1_1).code == CURLE_OK);
  const std::vector<AccessLogLine> log = nginx.wait_for_access_log(3);
  BOOST_REQUIRE_EQUAL(log.size(), 3u);
  BOOST_TEST(log[0].connection == log[1].connection);
  BOOST_TEST(log[0].connection_requests == 1u);
  BOOST_TEST(log[1].connection_requests == 2u);
  BOOST_TEST(log[2].connection != log[0].connection);
  BOOST_TEST(log[2].connection_requests == 1u);
}

BOOST_AUTO_TEST_CASE(h2c_listener_speaks_http2_by_prior_knowledge) {
  NginxServer nginx;
  const Fetched fetched = fetch(nginx.h2c_url("/json"), CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE, "", {"X-Token: h2c"});
  BOOST_REQUIRE_EQUAL(fetched.code, CURLE_OK);
  BOOST_TEST(fetched.http_version == CURL_HTTP_VERSION_2_0);
  BOOST_TEST(fetched.body == R"({"token":"abc"})");
  BOOST_TEST(fetched.content_type == "application/json");
  const AccessLogLine line = only_log_line(nginx);
  BOOST_TEST(line.server_port == nginx.h2c_port());
  BOOST_TEST(line.protocol == "HTTP/2.0");
  BOOST_TEST(line.ssl_protocol.empty());
  BOOST_TEST(line.x_token == "h2c");
}

BOOST_AUTO_TEST_CASE(tls_listener_negotiates_h2_by_alpn_when_the_ca_is_trusted) {
  NginxServer nginx;
  // The certificate names IP 127.0.0.1 and DNS localhost; both verify against the CA.
  const std::string localhost_url = "https://localhost:" + std::to_string(nginx.tls_port()) + "/json";
  const std::string pin_localhost = "localhost:" + std::to_string(nginx.tls_port()) + ":127.0.0.1";
  for (const std::string& url : {nginx.https_url("/json"), localhost_url}) {
    BOOST_TEST_CONTEXT(url) {
      const Fetched fetched = fetch(url, CURL_HTTP_VERSION_2TLS, nginx.ca_file(), {}, {pin_localhost});
      BOOST_REQUIRE_EQUAL(fetched.code, CURLE_OK);
      BOOST_TEST(fetched.status == 200);
      BOOST_TEST(fetched.http_version == CURL_HTTP_VERSION_2_0);
      BOOST_TEST(fetched.body == R"({"token":"abc"})");
    }
  }
  const std::vector<AccessLogLine> log = nginx.wait_for_access_log(2);
  BOOST_REQUIRE_EQUAL(log.size(), 2u);
  for (const AccessLogLine& line : log) {
    BOOST_TEST(line.server_port == nginx.tls_port());
    BOOST_TEST(line.protocol == "HTTP/2.0");
    BOOST_TEST(line.ssl_protocol.rfind("TLSv1.", 0) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(tls_listener_serves_http11_to_a_client_that_asks_for_it) {
  NginxServer nginx;
  const Fetched fetched = fetch(nginx.https_url("/"), CURL_HTTP_VERSION_1_1, nginx.ca_file());
  BOOST_REQUIRE_EQUAL(fetched.code, CURLE_OK);
  BOOST_TEST(fetched.http_version == CURL_HTTP_VERSION_1_1);
  const AccessLogLine line = only_log_line(nginx);
  BOOST_TEST(line.protocol == "HTTP/1.1");
  BOOST_TEST(!line.ssl_protocol.empty());
}

BOOST_AUTO_TEST_CASE(tls_without_the_ca_fails_peer_verification) {
  NginxServer nginx;
  // Only the system trust store: the throwaway CA is not in it.
  const Fetched fetched = fetch(nginx.https_url("/"), CURL_HTTP_VERSION_2TLS);
  BOOST_TEST(fetched.code == CURLE_PEER_FAILED_VERIFICATION, curl_easy_strerror(fetched.code));
  // No request got through; a request after it (with the CA) is the first line logged.
  BOOST_TEST(fetch(nginx.https_url("/"), CURL_HTTP_VERSION_2TLS, nginx.ca_file()).code == CURLE_OK);
  BOOST_TEST(nginx.wait_for_access_log(1).size() == 1u);
}

BOOST_AUTO_TEST_CASE(stop_ends_nginx_and_the_destructor_removes_its_directory) {
  std::string directory;
  {
    NginxServer nginx;
    directory = nginx.directory();
    const pid_t pid = nginx.pid();
    BOOST_TEST(::kill(pid, 0) == 0);
    nginx.stop();
    BOOST_TEST(nginx.pid() == -1);
    BOOST_TEST((::kill(pid, 0) == -1 && errno == ESRCH));
    BOOST_TEST(!accepts_connections(nginx.http_port()));
    BOOST_TEST(!accepts_connections(nginx.tls_port()));
    nginx.stop();  // idempotent
  }
  BOOST_TEST(!std::filesystem::exists(directory));
}

BOOST_AUTO_TEST_CASE(missing_nginx_is_an_error_naming_the_package) {
  NginxServer::Options options;
  options.nginx_binary = "/nonexistent/nginx";
  try {
    NginxServer nginx(options);
    BOOST_FAIL("a missing nginx must throw");
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    BOOST_TEST(message.find("/nonexistent/nginx") != std::string::npos);
    BOOST_TEST(message.find("nginx-light") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(nginx_that_cannot_start_is_an_error_carrying_its_stderr) {
  NginxServer::Options options;
  options.extra_server_config = "    no_such_directive on;";
  try {
    NginxServer nginx(options);
    BOOST_FAIL("a bad config must throw");
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    BOOST_TEST(message.find("exited") != std::string::npos, message);
    BOOST_TEST(message.find("no_such_directive") != std::string::npos, message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
