#include "agent/http1_response.hpp"

#include <algorithm>
#include <cstring>

namespace grid::agent {
namespace {

Http1Response* self(http_parser* p) { return static_cast<Http1Response*>(p->data); }

}  // namespace

// One settings table for every response: the callbacks find their response in p->data.
const http_parser_settings& Http1Response::settings() {
  static const http_parser_settings table = [] {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_status = &Http1Response::on_status;
    s.on_headers_complete = &Http1Response::on_headers_complete;
    s.on_body = &Http1Response::on_body;
    s.on_message_complete = &Http1Response::on_message_complete;
    return s;
  }();
  return table;
}

Http1Response::Http1Response() { reset(false); }

void Http1Response::reset(bool head) {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  state_ = State::reading;
  pause_ = Pause::none;
  head_ = head;
  interim_ = false;
  in_head_ = true;
  version_ = 0;
  status_ = 0;
  last_status_ = 0;
  body_bytes_ = 0;
  head_bytes_ = 0;
  head_line_bytes_ = 0;
  partial_line_.clear();
  keep_alive_ = false;
  keep_body_ = nullptr;
  keep_headers_ = nullptr;
  error_.clear();
}

void Http1Response::set_capture(std::string* body, std::string* headers) {
  keep_body_ = body;
  keep_headers_ = headers;
}

int Http1Response::on_status(http_parser* p, const char*, size_t) {
  Http1Response& r = *self(p);
  r.last_status_ = static_cast<int>(p->status_code);
  r.version_ = static_cast<uint16_t>(p->http_major * 10 + p->http_minor);
  return 0;
}

int Http1Response::on_headers_complete(http_parser* p) {
  Http1Response& r = *self(p);
  r.status_ = static_cast<int>(p->status_code);
  r.last_status_ = r.status_;
  r.version_ = static_cast<uint16_t>(p->http_major * 10 + p->http_minor);
  if (r.status_ == 101) {
    // Whatever its headers say: the native transport asked for no upgrade and speaks
    // nothing but HTTP/1.1 on this connection.
    r.fail("the server switched protocols (101), which the native transport does not speak");
    return -1;
  }
  if (r.status_ < 100) {
    // http-parser takes any number of digits below 1000; a status has three (RFC 9110 15).
    r.status_ = r.last_status_ = 0;
    r.fail("invalid HTTP status code");
    return -1;
  }
  // Stop at the end of the head, so that feed() knows which bytes were head bytes.
  r.pause_ = Pause::headers;
  http_parser_pause(p, 1);
  // Any other 1xx: an interim response, never with a body (whatever its headers say, as
  // curl reads it); the final one follows.
  r.interim_ = r.status_ >= 100 && r.status_ < 200;
  // No body after HEAD, 204 or 304, whatever Content-Length says (RFC 9112 6.3).
  return r.interim_ || r.head_ || r.status_ == 204 || r.status_ == 304 ? 1 : 0;
}

int Http1Response::on_body(http_parser* p, const char* at, size_t n) {
  Http1Response& r = *self(p);
  r.body_bytes_ += n;
  if (r.keep_body_ && r.keep_body_->size() < kMaxKeptBody) {
    r.keep_body_->append(at, std::min(n, kMaxKeptBody - r.keep_body_->size()));
  }
  return 0;
}

int Http1Response::on_message_complete(http_parser* p) {
  Http1Response& r = *self(p);
  r.pause_ = Pause::message;
  http_parser_pause(p, 1);  // stop here: what follows is the next head, or not this response's
  if (r.interim_) {
    r.interim_ = false;
    r.status_ = 0;
    r.body_bytes_ = 0;
    return 0;  // the parser starts the next message: the final response
  }
  r.keep_alive_ = http_should_keep_alive(p) != 0;
  r.state_ = State::complete;
  return 0;
}

void Http1Response::fail(const char* why) {
  state_ = State::error;
  error_ = why;
}

// Head bytes count by whole lines, as curl counts CURLINFO_HEADER_SIZE: the bytes of a
// line cut short (a close, or a malformed status line) are not counted.
void Http1Response::count_head(const char* data, size_t n) {
  const void* last = n > 0 ? memrchr(data, '\n', n) : nullptr;
  if (!last) {
    head_line_bytes_ += n;
    if (keep_headers_ && partial_line_.size() < kMaxKeptHeaders) partial_line_.append(data, n);
    return;
  }
  const size_t through = static_cast<size_t>(static_cast<const char*>(last) - data) + 1;
  head_bytes_ += head_line_bytes_ + through;
  head_line_bytes_ = n - through;
  // Captured the same way: whole lines, as curl's header callback delivers them.
  if (keep_headers_) {
    if (keep_headers_->size() < kMaxKeptHeaders) {
      keep_headers_->append(partial_line_);
      keep_headers_->append(data, through);
    }
    partial_line_.assign(data + through, std::min(n - through, kMaxKeptHeaders));
  }
}

// The parser pauses at the end of every head and every message, so each run of
// http_parser_execute reads bytes of one kind: head bytes (counted, and kept for header
// capture) or body bytes (counted by on_body).
size_t Http1Response::feed(const char* data, size_t size) {
  size_t total = 0;
  while (state_ == State::reading && total < size) {
    pause_ = Pause::none;
    const char* at = data + total;
    const size_t used = http_parser_execute(&parser_, &settings(), at, size - total);
    if (in_head_) count_head(at, used);
    total += used;
    if (state_ == State::error) break;  // a callback refused the response
    const http_errno err = HTTP_PARSER_ERRNO(&parser_);
    if (err == HPE_PAUSED) {
      http_parser_pause(&parser_, 0);
      if (pause_ == Pause::headers) {
        // Paused on the LF that ends the head, before consuming it: it is a head byte,
        // read again (as the start of the body) by the next run.
        if (total < size) count_head(data + total, 1);
        in_head_ = false;
      } else if (pause_ == Pause::message && state_ == State::reading) {
        in_head_ = true;  // a 1xx ended: the final response's head follows, and replaces it
        if (keep_headers_) keep_headers_->clear();
      }
      continue;
    }
    if (err != HPE_OK) {
      fail(http_errno_description(err));
      break;
    }
    if (used == 0) break;
  }
  return total;
}

void Http1Response::on_eof() {
  if (state_ != State::reading) return;
  pause_ = Pause::none;
  http_parser_execute(&parser_, &settings(), nullptr, 0);  // EOF: ends a close-delimited body
  if (HTTP_PARSER_ERRNO(&parser_) == HPE_PAUSED) http_parser_pause(&parser_, 0);
  if (state_ == State::error) return;
  if (state_ == State::complete) {
    keep_alive_ = false;
    return;
  }
  if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK) {
    fail(http_errno_description(HTTP_PARSER_ERRNO(&parser_)));
  } else {
    fail("the server closed the connection mid-response");
  }
}

}  // namespace grid::agent
