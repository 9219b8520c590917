// NativeTransport against scripted raw-socket servers (tests/support/scripted_server.hpp):
// the framings and failures a real server can produce, each with the outcome libcurl
// gives for it (chunked and close-delimited bodies compared byte for byte with libcurl).

#include <string>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "support/native_harness.hpp"
#include "support/scripted_server.hpp"

using namespace grid;
using agent::TransferError;
using test::NativeHarness;
using test::ScriptedServer;
using test::spec;

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// libcurl's result, status and byte counts for a GET of `url`.
struct CurlGet {
  CURLcode result;
  long status = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
};
CurlGet curl_get(const std::string& url) {
  CURL* e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard);
  CurlGet g;
  g.result = curl_easy_perform(e);
  long request = 0, header = 0;
  curl_off_t body = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &g.status);
  curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request);
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header);
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &body);
  curl_easy_cleanup(e);
  g.sent = static_cast<uint64_t>(request);
  g.received = static_cast<uint64_t>(header) + static_cast<uint64_t>(body);
  return g;
}

// A server that answers every request on every connection with `response`, then closes
// the connection when `close_after`.
ScriptedServer::Script answer(std::string response, bool close_after = false) {
  return [response, close_after](int fd, unsigned) {
    while (ScriptedServer::read_head(fd)) {
      ScriptedServer::write_all(fd, response);
      if (close_after) return;
    }
  };
}

const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(native_transport_faults)

BOOST_AUTO_TEST_CASE(a_chunked_body_counts_its_data_not_its_framing_as_libcurl_does) {
  ScriptedServer server(answer(kChunked));
  NativeHarness h({spec("c", server.url("/"))});
  h.capture = true;
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::none));
  BOOST_TEST(o.status == 200);
  BOOST_TEST(h.users[0].response_body == "hello world");
  BOOST_TEST(o.bytes_received == 47u + 11u);
  const auto c = curl_get(server.url("/"));
  BOOST_TEST(o.bytes_received == c.received);
  BOOST_TEST(o.bytes_sent == c.sent);
  BOOST_TEST(h.fetch(0, 0).status == 200);  // and the connection is reused
  BOOST_TEST(server.accepted() == 2u);      // one for the native user, one for curl
}

BOOST_AUTO_TEST_CASE(a_close_delimited_body_completes_at_the_close) {
  ScriptedServer server(answer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true));
  NativeHarness h({spec("c", server.url("/"))});
  h.capture = true;
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::none));
  BOOST_TEST(h.users[0].response_body == "until the end");
  BOOST_TEST(o.bytes_received == curl_get(server.url("/")).received);
  BOOST_TEST(h.transport->open_connections() == 0u);
  BOOST_TEST(h.fetch(0, 0).status == 200);
}

BOOST_AUTO_TEST_CASE(connection_close_with_a_length_closes_the_connection_and_the_next_request_reconnects) {
  // The server keeps its side open: the client must close because the response said so.
  ScriptedServer server([&](int fd, unsigned) {
    if (!ScriptedServer::read_head(fd)) return;
    ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    server.wait_for_close(fd);
  });
  NativeHarness h({spec("c", server.url("/"))});
  BOOST_TEST(h.fetch(0, 0).status == 200);
  BOOST_TEST(h.transport->open_connections() == 0u);
  BOOST_TEST(h.fetch(0, 0).status == 200);
  BOOST_TEST(server.accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_close_mid_response_is_other_with_the_status_and_bytes_received) {
  const std::string part = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc";
  ScriptedServer server(answer(part, true));
  NativeHarness h({spec("c", server.url("/"))});
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::other));
  BOOST_TEST(o.status == 200);
  BOOST_TEST(o.bytes_received == part.size());
  BOOST_TEST(!o.detail.empty());
  const auto c = curl_get(server.url("/"));
  BOOST_TEST(c.result == CURLE_PARTIAL_FILE);
  BOOST_TEST(c.status == o.status);
  BOOST_TEST(c.received == o.bytes_received);
}

BOOST_AUTO_TEST_CASE(a_reset_before_any_response_on_a_fresh_connection_is_other) {
  ScriptedServer server([](int fd, unsigned) {
    if (!ScriptedServer::read_head(fd)) return;
    ScriptedServer::reset(fd);
  });
  NativeHarness h({spec("c", server.url("/"))});
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::other));
  BOOST_TEST(o.status == 0);
  BOOST_TEST(server.accepted() == 1u);  // no retry on a fresh connection
}

BOOST_AUTO_TEST_CASE(an_empty_reply_on_a_fresh_connection_is_other_and_not_retried) {
  ScriptedServer server([](int fd, unsigned) { ScriptedServer::read_head(fd); });
  NativeHarness h({spec("c", server.url("/"))});
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::other));
  BOOST_TEST(o.detail == "Empty reply from server");
  BOOST_TEST(server.accepted() == 1u);
  BOOST_TEST(curl_get(server.url("/")).result == CURLE_GOT_NOTHING);
}

BOOST_AUTO_TEST_CASE(an_answer_sent_before_a_large_request_was_taken_whole_is_the_outcome_as_in_libcurl) {
  // A server refusing an upload (413, or a 401) answers after the head and closes with
  // the body unread: the close is a reset, and the request's send fails. The answer is
  // in the socket's receive queue already; libcurl reads it and reports 413.
  const std::string refusal = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ScriptedServer server([&](int fd, unsigned) {
    if (ScriptedServer::read_head(fd)) ScriptedServer::write_all(fd, refusal);
  });
  wire::RequestSpec upload = spec("upload", server.url("/"), 5000, "POST");
  upload.body = std::string(8u << 20, 'u');  // far more than the socket buffers take
  NativeHarness h({upload});
  for (int i = 0; i < 3; ++i) {
    const auto o = h.fetch(0, 0);
    BOOST_TEST_CONTEXT("attempt " << i << ": " << o.detail) {
      BOOST_TEST((o.error == TransferError::none));
      BOOST_TEST(o.status == 413);
      BOOST_TEST(o.bytes_received == refusal.size());
      BOOST_TEST(h.transport->open_connections() == 0u);
    }
  }
  CURL* e = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // as the engine sets it up
  curl_easy_setopt(e, CURLOPT_URL, upload.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(upload.body.size()));
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, upload.body.c_str());
  // libcurl reports the 413 when it polls the socket for the answer before its next send
  // fails; on a loaded machine the reset can win that race (CURLE_SEND_ERROR, no status).
  // The native transport above always reads the queued answer first.
  const CURLcode result = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  BOOST_TEST_CONTEXT("libcurl: " << curl_easy_strerror(result)) {
    BOOST_TEST((result == CURLE_OK || result == CURLE_SEND_ERROR));
    if (result == CURLE_OK) BOOST_TEST(status == 413);
  }
  curl_easy_cleanup(e);
  curl_slist_free_all(headers);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_times_out_and_a_timeout_mid_body_keeps_the_status) {
  ScriptedServer silent([&](int fd, unsigned) { silent.wait_for_close(fd); });
  const std::string head = "HTTP/1.1 206 Partial\r\nContent-Length: 50\r\n\r\n";
  ScriptedServer dribble([&](int fd, unsigned) {
    if (!ScriptedServer::read_head(fd)) return;
    ScriptedServer::write_all(fd, head + "some");
    dribble.wait_for_close(fd);
  });
  NativeHarness h({spec("silent", silent.url("/"), 150), spec("dribble", dribble.url("/"), 150)});
  const auto quiet = h.fetch(0, 0);
  BOOST_TEST((quiet.error == TransferError::timeout));
  BOOST_TEST(quiet.status == 0);
  BOOST_TEST(quiet.bytes_sent > 0u);
  BOOST_TEST(quiet.bytes_received == 0u);
  const auto partial = h.fetch(0, 1);
  BOOST_TEST((partial.error == TransferError::timeout));
  BOOST_TEST(partial.status == 206);
  BOOST_TEST(partial.bytes_received == head.size() + 4);
  BOOST_TEST(h.transport->open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(an_idle_connection_the_server_closed_is_dropped_and_the_next_request_reconnects) {
  ScriptedServer server(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true));
  NativeHarness h({spec("c", server.url("/"))});
  BOOST_TEST(h.fetch(0, 0).status == 200);
  BOOST_REQUIRE(h.run_until([&] { return h.transport->open_connections() == 0; }));
  BOOST_TEST(h.fetch(0, 0).status == 200);
  BOOST_TEST(server.accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_reused_connection_that_dies_before_any_response_byte_is_retried_once_on_a_new_one) {
  // Connection 0 answers one request, then takes the second and closes without a word
  // (before the client could notice the idle close); connection 1 answers.
  ScriptedServer server([](int fd, unsigned n) {
    if (n == 0) {
      if (!ScriptedServer::read_head(fd)) return;
      ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      ScriptedServer::read_head(fd);
      return;
    }
    while (ScriptedServer::read_head(fd))
      ScriptedServer::write_all(fd, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  });
  NativeHarness h({spec("c", server.url("/"))});
  BOOST_TEST(h.fetch(0, 0).status == 200);
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::none));
  BOOST_TEST(o.status == 201);
  BOOST_TEST(server.accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_reused_connection_reset_after_a_response_byte_is_not_retried) {
  ScriptedServer server([](int fd, unsigned n) {
    if (n > 0) return;
    if (!ScriptedServer::read_head(fd)) return;
    ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    if (!ScriptedServer::read_head(fd)) return;
    ScriptedServer::write_all(fd, "HTTP/1.1 200 OK\r\nContent-Le");
    ScriptedServer::reset(fd);
  });
  NativeHarness h({spec("c", server.url("/"))});
  BOOST_TEST(h.fetch(0, 0).status == 200);
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::other), o.detail << " " << o.status << " " << o.bytes_received);
  BOOST_TEST(server.accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(interim_1xx_heads_are_counted_and_replaced_by_the_final_one) {
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string final_head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  ScriptedServer server(answer(interim + "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + final_head + "ok"));
  NativeHarness h({spec("c", server.url("/"))});
  h.capture = true;
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::none));
  BOOST_TEST(o.status == 200);
  BOOST_TEST(h.users[0].response_headers == final_head);
  BOOST_TEST(o.bytes_received == curl_get(server.url("/")).received);
}

BOOST_AUTO_TEST_CASE(an_http_1_0_response_reports_version_10_and_is_not_kept) {
  ScriptedServer server(answer("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  NativeHarness h({spec("c", server.url("/"))});
  const auto o = h.fetch(0, 0);
  BOOST_TEST(o.http_version == 10);
  BOOST_TEST(h.transport->open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(a_malformed_response_and_a_protocol_switch_are_other) {
  ScriptedServer junk(answer("SMTP ready\r\n\r\n"));
  ScriptedServer upgrade(
      answer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"));
  NativeHarness h({spec("junk", junk.url("/")), spec("upgrade", upgrade.url("/"))});
  const auto j = h.fetch(0, 0);
  BOOST_TEST((j.error == TransferError::other));
  BOOST_TEST(j.detail.find("malformed") != std::string::npos);
  const auto u = h.fetch(0, 1);
  BOOST_TEST((u.error == TransferError::other));
  BOOST_TEST(h.transport->open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(a_late_input_edge_on_an_idle_connection_keeps_it_and_a_stale_tag_is_ignored) {
  // Edge-triggered epoll can report input whose bytes the transport already read (they
  // arrived between epoll_wait and recv). The tag layout is the transport's own: the user
  // id above 24 bits of the socket's generation (1 for the user's first socket).
  ScriptedServer server(answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  NativeHarness h({spec("c", server.url("/"))});
  BOOST_TEST(h.fetch(0, 0).status == 200);
  const uint64_t live = agent::transport_tag(agent::TransportId::native, (uint64_t{0} << 24) | 1);
  const uint64_t stale = agent::transport_tag(agent::TransportId::native, (uint64_t{0} << 24) | 7);
  h.transport->on_event(live, EPOLLIN, common::steady_now_ns());
  h.transport->on_event(stale, EPOLLIN | EPOLLRDHUP | EPOLLHUP, common::steady_now_ns());
  BOOST_TEST(h.transport->open_connections() == 1u);
  BOOST_TEST(h.fetch(0, 0).status == 200);
  BOOST_TEST(server.accepted() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
