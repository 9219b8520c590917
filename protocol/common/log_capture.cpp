#include "protocol/common/log_capture.hpp"

#include <algorithm>
#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace grid::common {

class LogCapture::Sink final : public spdlog::sinks::base_sink<std::mutex> {
public:
  explicit Sink(size_t max_queued) : max_queued_(max_queued) { set_level(spdlog::level::warn); }

  std::vector<CapturedLog> take() {
    std::lock_guard lock(mutex_);
    std::vector<CapturedLog> out;
    out.swap(queue_);
    return out;
  }
  uint64_t overflowed() {
    std::lock_guard lock(mutex_);
    return overflowed_;
  }

protected:
  // Called with mutex_ held (base_sink).
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (queue_.size() >= max_queued_) {
      ++overflowed_;
      return;
    }
    CapturedLog record;
    record.time = msg.time;
    record.level = msg.level >= spdlog::level::err ? wire::LogLevel::error : wire::LogLevel::warning;
    record.message = cut_message(std::string(msg.payload.data(), msg.payload.size()));
    queue_.push_back(std::move(record));
  }
  void flush_() override {}

private:
  size_t max_queued_;
  std::vector<CapturedLog> queue_;
  uint64_t overflowed_ = 0;
};

LogCapture::LogCapture(const Logger& logger, size_t max_queued)
    : logger_(logger), sink_(std::make_shared<Sink>(max_queued)) {
  // Nodes add their capture before any other thread logs through their logger.
  logger_->sinks().push_back(sink_);
}

LogCapture::~LogCapture() {
  auto& sinks = logger_->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

std::vector<CapturedLog> LogCapture::take() { return sink_->take(); }

uint64_t LogCapture::overflowed() const { return sink_->overflowed(); }

std::string cut_message(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  text += "\xE2\x80\xA6";  // …
  return text;
}

}  // namespace grid::common
