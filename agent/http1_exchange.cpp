#include "agent/http1_exchange.hpp"

#include <cerrno>
#include <cstring>

namespace grid::agent {

void Http1Exchange::begin(std::string_view request, bool head, bool reused, std::string* body, std::string* headers) {
  request_ = request;
  head_ = head;
  retried_ = false;
  sent_before_ = 0;
  written_ = 0;
  keep_body_ = body;
  keep_headers_ = headers;
  restart_fresh();
  reused_ = reused;
}

void Http1Exchange::restart_fresh() {
  response_.reset(head_);
  if (keep_body_) keep_body_->clear();
  if (keep_headers_) keep_headers_->clear();
  response_.set_capture(keep_body_, keep_headers_);
  sent_before_ += written_;  // a retry: what the dead connection took still went out
  written_ = 0;
  fed_ = 0;
  reused_ = false;
  reusable_ = false;
  outcome_.error = TransferError::none;
  outcome_.status = 0;
  outcome_.http_version = 0;
  outcome_.bytes_sent = 0;
  outcome_.bytes_received = 0;
  outcome_.detail.clear();
}

ExchangeStep Http1Exchange::finish(TransferError error, std::string_view detail) {
  outcome_.error = error;
  outcome_.status = error == TransferError::none ? response_.status() : response_.last_status();
  outcome_.http_version = outcome_.status > 0 ? response_.http_version() : 0;
  outcome_.bytes_sent = sent_before_ + written_;
  outcome_.bytes_received = response_.head_bytes() + response_.body_bytes();
  outcome_.detail.assign(detail.data(), detail.size());
  return ExchangeStep::done;
}

ExchangeStep Http1Exchange::received(const char* data, size_t size) {
  if (size == 0) return ExchangeStep::wait;
  fed_ += size;
  const size_t used = response_.feed(data, size);
  switch (response_.state()) {
    case Http1Response::State::reading:
      return ExchangeStep::wait;
    case Http1Response::State::complete:
      // Bytes after the response (no request asked for them) or a request not fully
      // written: the connection is in no state to carry another request.
      reusable_ = response_.keep_alive() && used == size && written_ == request_.size();
      return finish(TransferError::none, {});
    case Http1Response::State::error:
      break;
  }
  return finish(TransferError::other, "malformed response: " + response_.error());
}

ExchangeStep Http1Exchange::peer_closed() {
  reusable_ = false;
  if (fed_ == 0) {
    if (reused_ && !retried_) {
      retried_ = true;
      return ExchangeStep::retry;
    }
    return finish(TransferError::other, "Empty reply from server");
  }
  response_.on_eof();
  if (response_.state() == Http1Response::State::complete) return finish(TransferError::none, {});
  return finish(TransferError::other, response_.error());
}

ExchangeStep Http1Exchange::connection_failed(int err) {
  reusable_ = false;
  if (fed_ == 0 && reused_ && !retried_ && (err == ECONNRESET || err == EPIPE)) {
    retried_ = true;
    return ExchangeStep::retry;
  }
  return finish(TransferError::other, std::string("connection failed: ") + std::strerror(err));
}

void Http1Exchange::timed_out(uint32_t timeout_ms) {
  reusable_ = false;
  finish(TransferError::timeout, "timed out after " + std::to_string(timeout_ms) + " ms (the request's timeout)");
}

void Http1Exchange::failed_before_sending(TransferError error, std::string_view detail) {
  reusable_ = false;
  finish(error, detail);
}

}  // namespace grid::agent
