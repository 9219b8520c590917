#include "agent/curl_transport.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "agent/target_guard.hpp"
#include "agent/virtual_user.hpp"
#include "protocol/common/clock.hpp"

namespace grid::agent {
namespace {

uint64_t epoll_tag(uint32_t multi, int fd) {
  return transport_tag(TransportId::curl, (uint64_t{multi} << 32) | static_cast<uint32_t>(fd));
}

bool h2c_reuse_broken() {
  static const bool broken = curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
  return broken;
}

uint16_t http_version_code(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return 10;
    case CURL_HTTP_VERSION_1_1:
      return 11;
    case CURL_HTTP_VERSION_2_0:
      return 20;
    case CURL_HTTP_VERSION_3:
      return 30;
    default:
      return 0;
  }
}

}  // namespace

TransferError transfer_error_of(CURLcode result) {
  switch (result) {
    case CURLE_OK:
      return TransferError::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransferError::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransferError::timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return TransferError::tls;
    default:
      return TransferError::other;
  }
}

CurlTransport::CurlTransport(TransportContext ctx, const CompiledWorkload& work, uint32_t users_per_multi)
    : ctx_(std::move(ctx)), work_(work), users_per_multi_(std::max<uint32_t>(1, users_per_multi)) {
  for (const auto& req : work_.requests) {
    curl_slist* list = nullptr;
    if (req.literal) {
      for (const auto& h : req.spec.headers) list = curl_slist_append(list, h.c_str());
      if (!req.spec.body.empty()) list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    }
    header_lists_.push_back(list);
  }
}

CurlTransport::~CurlTransport() {
  for (auto& s : slots_) {
    if (!s) continue;
    if (s->in_flight) curl_multi_remove_handle(multis_[s->multi], s->easy);
    if (s->easy) curl_easy_cleanup(s->easy);
    if (s->headers) curl_slist_free_all(s->headers);
  }
  for (CURLM* m : multis_) {
    if (m) curl_multi_cleanup(m);
  }
  for (curl_slist* l : header_lists_) curl_slist_free_all(l);
}

void CurlTransport::reserve_users(uint32_t users) {
  if (slots_.size() < users) slots_.resize(users);
}

// A user's easy handle and its multi handle are made on its first curl request, so a
// user the native transport serves costs curl nothing.
CurlTransport::Slot& CurlTransport::slot_for(VirtualUser& user) {
  if (slots_.size() <= user.id) slots_.resize(user.id + 1);
  auto& slot = slots_[user.id];
  if (slot) return *slot;
  const uint32_t m = user.id / users_per_multi_;
  while (multis_.size() <= m) {
    const auto index = static_cast<uint32_t>(multis_.size());
    CURLM* multi = curl_multi_init();
    if (!multi) throw std::runtime_error("engine: curl_multi_init failed");
    multis_.push_back(multi);
    multi_dirty_.push_back(0);
    contexts_.push_back(std::make_unique<MultiContext>(MultiContext{this, index}));
    ctx_.timers->reserve(ctx_.timer_kind, index + 1);
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlTransport::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, contexts_.back().get());
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlTransport::on_multi_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, contexts_.back().get());
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(users_per_multi_) + 4);
    // One connection per user, also over HTTP/2: users model clients, and a client
    // does not share its connection with other clients.
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
  }
  auto s = std::make_unique<Slot>();
  s->self = this;
  s->user = &user;
  s->multi = m;
  s->easy = curl_easy_init();
  if (!s->easy) throw std::runtime_error("engine: curl_easy_init failed");
  CURL* e = s->easy;
  curl_easy_setopt(e, CURLOPT_PRIVATE, s.get());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlTransport::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, s.get());
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &CurlTransport::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, s.get());
  // Never take a proxy from the environment (http_proxy, all_proxy, ...): load must go
  // exactly where the campaign says, and looking the variables up costs every request.
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  slot = std::move(s);
  return *slot;
}

size_t CurlTransport::on_body(char* data, size_t size, size_t nmemb, void* userp) {
  VirtualUser& user = *static_cast<Slot*>(userp)->user;
  const size_t n = size * nmemb;
  if (user.capture_body && user.response_body.size() < kMaxKeptBody) {
    user.response_body.append(data, std::min(n, kMaxKeptBody - user.response_body.size()));
  }
  return n;
}

size_t CurlTransport::on_header(char* data, size_t size, size_t nmemb, void* userp) {
  VirtualUser& user = *static_cast<Slot*>(userp)->user;
  const size_t n = size * nmemb;
  // A new header block (after a 1xx response) replaces the previous one.
  if (n > 5 && std::string_view(data, 5) == "HTTP/") user.response_headers.clear();
  if (user.response_headers.size() < kMaxKeptHeaders) user.response_headers.append(data, n);
  return n;
}

curl_socket_t CurlTransport::on_open_socket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* slot = static_cast<Slot*>(clientp);
  auto* self = slot->self;
  // Every connection, whatever its host came from: a refused one is never opened (curl
  // tries the name's next address, or fails the transfer; finish() counts it).
  if (auto why = refuse_connection(*self->ctx_.allowed, slot->easy, purpose, *address)) {
    slot->refused_target = std::move(*why);
    return CURL_SOCKET_BAD;
  }
  slot->opened_allowed = true;
  const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // A new socket may reuse the number of one curl closed: whatever we knew is stale
  // (closing removed it from the epoll set).
  if (static_cast<size_t>(fd) >= self->fds_.size()) self->fds_.resize(static_cast<size_t>(fd) + 64);
  self->fds_[static_cast<size_t>(fd)] = FdState{};
  return fd;
}

int CurlTransport::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto* ctx = static_cast<MultiContext*>(userp);
  ctx->self->watch(fd, ctx->index, what);
  return 0;
}

int CurlTransport::on_multi_timer(CURLM*, long timeout_ms, void* userp) {
  auto* ctx = static_cast<MultiContext*>(userp);
  TransportContext& t = ctx->self->ctx_;
  if (timeout_ms < 0) {
    t.timers->cancel(t.timer_kind, ctx->index);
  } else {
    t.timers->arm(t.timer_kind, ctx->index, common::steady_now_ns() + timeout_ms * 1'000'000);
  }
  return 0;
}

// Keeps the epoll set in step with what curl wants, with as few epoll_ctl calls as
// possible: an idle keep-alive socket that curl stops watching stays registered for
// input (it is silent unless the server closes it), so reusing it costs nothing.
void CurlTransport::watch(curl_socket_t fd, uint32_t multi, int what) {
  if (fd < 0) return;
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(static_cast<size_t>(fd) + 64);
  FdState& st = fds_[static_cast<size_t>(fd)];
  if (what == CURL_POLL_REMOVE) {
    st.wanted = false;
    if (st.registered && (st.events & EPOLLOUT)) {
      epoll_ctl(ctx_.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
      st.registered = false;
    }
    return;
  }
  uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if (what & CURL_POLL_OUT) events |= EPOLLOUT;
  st.wanted = true;
  if (st.registered && st.events == events && st.multi == multi) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = epoll_tag(multi, fd);
  int rc = epoll_ctl(ctx_.epoll_fd, st.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
  if (rc != 0 && errno == ENOENT) rc = epoll_ctl(ctx_.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  if (rc != 0 && errno == EEXIST) rc = epoll_ctl(ctx_.epoll_fd, EPOLL_CTL_MOD, fd, &ev);
  st.registered = rc == 0;
  st.events = events;
  st.multi = multi;
  if (rc != 0) unwatchable_.emplace_back(multi, fd);
}

bool CurlTransport::owned_by(uint32_t multi, int fd) const {
  return static_cast<size_t>(fd) < fds_.size() && fds_[static_cast<size_t>(fd)].multi == multi;
}

void CurlTransport::unwatch_stray(int fd) {
  epoll_ctl(ctx_.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  if (static_cast<size_t>(fd) < fds_.size()) fds_[static_cast<size_t>(fd)].registered = false;
}

void CurlTransport::multi_error(CURLMcode code) {
  ++multi_errors_;
  if (const auto n = multi_error_log_.admit(std::chrono::steady_clock::now())) {
    ctx_.log->error("engine {}: curl_multi_socket_action failed {} time(s) ({} in all): {}", ctx_.engine_id, *n,
                    multi_errors_, curl_multi_strerror(code));
  }
}

void CurlTransport::socket_action(uint32_t multi, curl_socket_t fd, int ev_bitmask) {
  int running = 0;
  const CURLMcode rc = curl_multi_socket_action(multis_[multi], fd, ev_bitmask, &running);
  if (rc == CURLM_BAD_SOCKET && fd != CURL_SOCKET_TIMEOUT) {
    // An event for a socket this multi has let go of. The fd number may already belong
    // to another multi's new socket: only unregister it while it is still ours.
    if (owned_by(multi, fd)) unwatch_stray(fd);
  } else if (rc != CURLM_OK) {
    multi_error(rc);
  }
  while (!unwatchable_.empty()) {
    const auto [m, bad_fd] = unwatchable_.back();
    unwatchable_.pop_back();
    if (curl_multi_socket_action(multis_[m], bad_fd, CURL_CSELECT_ERR, &running) != CURLM_OK && owned_by(m, bad_fd)) {
      unwatch_stray(bad_fd);
    }
    mark_dirty(m);
  }
  mark_dirty(multi);
}

void CurlTransport::mark_dirty(uint32_t multi) {
  if (!multi_dirty_[multi]) {
    multi_dirty_[multi] = 1;
    dirty_list_.push_back(multi);
  }
}

void CurlTransport::on_event(uint64_t tag, uint32_t events, int64_t) {
  const uint64_t value = tag_value(tag);
  const auto multi = static_cast<uint32_t>(value >> 32);
  const auto fd = static_cast<int>(value & 0xffffffffu);
  if (static_cast<size_t>(fd) < fds_.size() && !fds_[static_cast<size_t>(fd)].wanted) {
    unwatch_stray(fd);  // an idle keep-alive socket woke up: the server closed it
    return;
  }
  if (!owned_by(multi, fd)) return;  // stale: the fd now belongs to another multi's socket
  int mask = 0;
  if (events & EPOLLIN) mask |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
  if (events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
  socket_action(multi, fd, mask);
}

void CurlTransport::on_timer(uint32_t id, int64_t) { socket_action(id, CURL_SOCKET_TIMEOUT, 0); }

// Every socket_action call can complete transfers: read them all out of each multi it
// touched before blocking, or they would wait for the next event or timeout. Starting a
// user's next request arms a zero timeout, which makes the next epoll_wait not block.
void CurlTransport::flush() {
  while (!dirty_list_.empty()) {
    std::vector<uint32_t> dirty;
    dirty.swap(dirty_list_);
    for (uint32_t m : dirty) {
      multi_dirty_[m] = 0;
      int left = 0;
      int64_t now = 0;  // read once: transfers done by one socket_action call ended together
      while (CURLMsg* msg = curl_multi_info_read(multis_[m], &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        if (now == 0) now = common::steady_now_ns();
        finish(msg->easy_handle, msg->data.result, now);
      }
    }
  }
}

void CurlTransport::finish(CURL* easy, CURLcode result, int64_t now_ns) {
  Slot* slot = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
  TransferOutcome out;
  out.error = transfer_error_of(result);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.status);
  long request_size = 0, header_size = 0, version = 0;
  curl_off_t body_size = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &body_size);
  out.bytes_sent = static_cast<uint64_t>(request_size);
  out.bytes_received = static_cast<uint64_t>(header_size) + static_cast<uint64_t>(body_size);
  if (out.status > 0) {
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    out.http_version = http_version_code(version);
  }
  if (result == CURLE_COULDNT_CONNECT && !slot->refused_target.empty() && !slot->opened_allowed) {
    out.error = TransferError::not_allowed;
    out.detail = std::move(slot->refused_target);
  }
  curl_multi_remove_handle(multis_[slot->multi], easy);
  slot->in_flight = false;
  ctx_.sink->transfer_done(*slot->user, out, now_ns);
}

void CurlTransport::configure(Slot& slot, const CompiledRequest& req, bool rendered) {
  CURL* e = slot.easy;
  VirtualUser& user = *slot.user;
  const auto& spec = req.spec;
  const std::string& body = rendered ? user.body : spec.body;
  if (rendered) {
    if (slot.headers) curl_slist_free_all(slot.headers);
    slot.headers = nullptr;
    for (const auto& h : user.header_lines) slot.headers = curl_slist_append(slot.headers, h.c_str());
    if (!body.empty()) slot.headers = curl_slist_append(slot.headers, "Expect:");
  }
  curl_easy_setopt(e, CURLOPT_URL, rendered ? user.url.c_str() : spec.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, rendered ? slot.headers : header_lists_[user.request]);
  if (slot.configured_request == static_cast<int32_t>(user.request) && !rendered) return;
  if (slot.configured_request != static_cast<int32_t>(user.request)) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout_ms));
    const bool tls = spec.url.rfind("https://", 0) == 0;
    long version = CURL_HTTP_VERSION_1_1;
    if (spec.http == wire::HttpVersion::http2)
      version = tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, version);
    // libcurl before 8.0 breaks a reused h2c (prior knowledge) connection: every second
    // request fails "Error in the HTTP2 framing layer" (curl/curl#10634, fixed by #10643;
    // Debian 12 ships 7.88). There, each h2c request gets a new connection instead.
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE,
                     version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE && h2c_reuse_broken() ? 1L : 0L);
    if (tls) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, spec.tls_verify ? 1L : 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, spec.tls_verify ? 2L : 0L);
      if (!spec.ca_pem.empty()) {
        curl_blob blob{const_cast<char*>(spec.ca_pem.data()), spec.ca_pem.size(), CURL_BLOB_NOCOPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
      }
    }
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, req.needs_headers ? &CurlTransport::on_header : nullptr);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, req.needs_headers ? &slot : nullptr);
  }
  if (spec.method == "GET" && body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (spec.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method == "POST" ? nullptr : spec.method.c_str());
  }
  slot.configured_request = static_cast<int32_t>(user.request);
}

bool CurlTransport::start(VirtualUser& user, const CompiledRequest& req, bool fresh_connection) {
  Slot& slot = slot_for(user);
  configure(slot, req, !req.literal);
  if (work_.connections == wire::ConnectionReuse::per_iteration) {
    curl_easy_setopt(slot.easy, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L);
  }
  slot.refused_target.clear();
  slot.opened_allowed = false;
  if (curl_multi_add_handle(multis_[slot.multi], slot.easy) != CURLM_OK) return false;
  slot.in_flight = true;
  return true;
}

}  // namespace grid::agent
