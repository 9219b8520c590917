#include "target/http_response.hpp"

#include <array>
#include <charconv>

#include "target/http_status.hpp"

namespace grid::target {
namespace {

constexpr std::size_t kFillerBytes = 64 * 1024;

constexpr std::array<char, kFillerBytes> make_filler() {
  std::array<char, kFillerBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>('a' + i % 26);
  }
  return bytes;
}
constexpr std::array<char, kFillerBytes> kFiller = make_filler();

}  // namespace

void append_response_head(std::string& out, int status, std::uint64_t content_length, std::string_view content_type,
                          ConnectionHeader connection, std::string_view extra_headers) {
  char digits[24];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), content_length);
  (void)ec;  // 24 chars always hold a uint64_t.

  out.append("HTTP/1.1 ");
  out.append(status_text(status));
  out.append("\r\nContent-Type: ");
  out.append(content_type);
  out.append("\r\nContent-Length: ");
  out.append(digits, end);
  out.append("\r\n");
  out.append(extra_headers);
  switch (connection) {
    case ConnectionHeader::omit:
      out.append("\r\n");
      break;
    case ConnectionHeader::keep_alive:
      out.append("Connection: keep-alive\r\n\r\n");
      break;
    case ConnectionHeader::close:
      out.append("Connection: close\r\n\r\n");
      break;
  }
}

std::string_view filler_chunk() { return {kFiller.data(), kFiller.size()}; }

}  // namespace grid::target
