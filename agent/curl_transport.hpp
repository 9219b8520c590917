#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "agent/compiled_workload.hpp"
#include "agent/transport.hpp"
#include "protocol/common/log_rate_limit.hpp"

namespace grid::agent {

/// How a finished libcurl transfer ended, in the transports' shared terms. Pure.
TransferError transfer_error_of(CURLcode result);

/// The libcurl transport (docs/adr/0002, 0016): several curl multi handles driven by
/// curl_multi_socket_action over the engine's epoll set and timer heap. Serves whatever
/// the native transport does not: TLS, HTTP/2, and any request a campaign forces onto it.
///
/// Each user that runs a curl request gets one easy handle for its life (made on its first
/// curl request), so options set for a request are reused by its next request of the same
/// kind and its connection is kept alive; users are spread over multi handles of
/// `users_per_multi` each, which keeps each connection cache small.
class CurlTransport final : public Transport {
public:
  /// Throws std::runtime_error when curl cannot make a handle.
  CurlTransport(TransportContext ctx, const CompiledWorkload& work, uint32_t users_per_multi);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  bool start(VirtualUser& user, const CompiledRequest& req, bool fresh_connection) override;
  void on_event(uint64_t tag, uint32_t events, int64_t now_ns) override;
  void on_timer(uint32_t id, int64_t now_ns) override;
  void flush() override;
  void reserve_users(uint32_t users) override;

private:
  struct MultiContext {
    CurlTransport* self;
    uint32_t index;
  };
  /// A user's curl side: its easy handle and what the handle is set up for.
  struct Slot {
    CurlTransport* self = nullptr;
    VirtualUser* user = nullptr;
    CURL* easy = nullptr;
    uint32_t multi = 0;
    int32_t configured_request = -1;  // request the handle is set up for, -1 none
    bool in_flight = false;
    curl_slist* headers = nullptr;  // rendered headers of a templated request
    // The request in flight: a socket --allow-target refused (why), and whether one it
    // allowed was opened (then a failure to connect is a `connect` failure).
    std::string refused_target;
    bool opened_allowed = false;
  };
  struct FdState {
    uint32_t multi = 0;
    uint32_t events = 0;      // epoll events registered
    bool registered = false;  // in the epoll set
    bool wanted = false;      // curl currently watches it
  };

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
  static int on_multi_timer(CURLM* multi, long timeout_ms, void* userp);
  static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address);
  static size_t on_body(char* data, size_t size, size_t nmemb, void* userp);
  static size_t on_header(char* data, size_t size, size_t nmemb, void* userp);

  Slot& slot_for(VirtualUser& user);
  void configure(Slot& slot, const CompiledRequest& req, bool rendered);
  void watch(curl_socket_t fd, uint32_t multi, int what);
  void unwatch_stray(int fd);
  /// True when `fd` is registered as a socket of `multi` (fd numbers are reused).
  bool owned_by(uint32_t multi, int fd) const;
  void socket_action(uint32_t multi, curl_socket_t fd, int ev_bitmask);
  void multi_error(CURLMcode code);
  void mark_dirty(uint32_t multi);
  void finish(CURL* easy, CURLcode result, int64_t now_ns);

  TransportContext ctx_;
  const CompiledWorkload& work_;
  uint32_t users_per_multi_;
  std::vector<CURLM*> multis_;
  std::vector<std::unique_ptr<MultiContext>> contexts_;  // stable addresses for curl
  std::vector<uint8_t> multi_dirty_;
  std::vector<uint32_t> dirty_list_;
  std::vector<FdState> fds_;
  // Sockets epoll refused to watch: curl is told they failed (CURL_CSELECT_ERR) once its
  // callback has returned, so their transfers fail and are counted, never stall.
  std::vector<std::pair<uint32_t, curl_socket_t>> unwatchable_;
  std::vector<std::unique_ptr<Slot>> slots_;  // by user id; made on a user's first curl request
  std::vector<curl_slist*> header_lists_;     // one per request (literal ones), by request index
  common::LogRateLimit multi_error_log_;
  uint64_t multi_errors_ = 0;  // curl_multi_socket_action failures, cumulative
};

}  // namespace grid::agent
