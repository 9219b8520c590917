#include "agent/http1_response.hpp"

namespace grid::agent {
namespace {

Http1Response* self(http_parser* p) { return static_cast<Http1Response*>(p->data); }

}  // namespace

Http1Response::Http1Response() {
  http_parser_settings_init(&settings_);
  settings_.on_status = &Http1Response::on_status;
  settings_.on_headers_complete = &Http1Response::on_headers_complete;
  settings_.on_body = &Http1Response::on_body;
  settings_.on_message_complete = &Http1Response::on_message_complete;
  reset(false);
}

void Http1Response::reset(bool head) {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  state_ = State::reading;
  head_ = head;
  interim_ = false;
  status_ = 0;
  body_bytes_ = 0;
  keep_alive_ = false;
  error_.clear();
}

int Http1Response::on_status(http_parser* p, const char*, size_t) {
  self(p)->status_ = static_cast<int>(p->status_code);
  return 0;
}

int Http1Response::on_headers_complete(http_parser* p) {
  Http1Response& r = *self(p);
  r.status_ = static_cast<int>(p->status_code);
  // 1xx but 101: an interim response, always without a body; the final one follows.
  r.interim_ = r.status_ >= 100 && r.status_ < 200 && r.status_ != 101;
  // No body after HEAD, 204 or 304, whatever Content-Length says (RFC 9112 6.3).
  if (r.interim_) return 0;
  return r.head_ || r.status_ == 204 || r.status_ == 304 ? 1 : 0;
}

int Http1Response::on_body(http_parser* p, const char*, size_t n) {
  self(p)->body_bytes_ += n;
  return 0;
}

int Http1Response::on_message_complete(http_parser* p) {
  Http1Response& r = *self(p);
  if (r.interim_) {
    r.interim_ = false;
    r.status_ = 0;
    r.body_bytes_ = 0;
    return 0;  // the parser starts the next message: the final response
  }
  http_parser_pause(p, 1);  // stop here: what follows is not this response's
  if (p->upgrade) {
    r.fail("the server switched protocols (101), which the native transport does not speak");
    return 0;
  }
  r.keep_alive_ = http_should_keep_alive(p) != 0;
  r.state_ = State::complete;
  return 0;
}

void Http1Response::fail(const std::string& why) {
  state_ = State::error;
  error_ = why;
}

size_t Http1Response::feed(const char* data, size_t size) {
  if (state_ != State::reading || size == 0) return 0;
  const size_t used = http_parser_execute(&parser_, &settings_, data, size);
  if (state_ != State::reading) {
    http_parser_pause(&parser_, 0);
    return used;
  }
  if (HTTP_PARSER_ERRNO(&parser_) != HPE_OK) fail(http_errno_description(HTTP_PARSER_ERRNO(&parser_)));
  return used;
}

void Http1Response::on_eof() {
  if (state_ != State::reading) return;
  http_parser_execute(&parser_, &settings_, nullptr, 0);  // EOF: ends a close-delimited body
  if (state_ == State::error) return;
  if (state_ == State::complete) {
    http_parser_pause(&parser_, 0);
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
