#include "agent/failure_classifier.hpp"

namespace grid::agent {

std::optional<wire::FailureKind> classify_transfer(TransferError error, long http_status, bool status_expected) {
  using wire::FailureKind;
  switch (error) {
    case TransferError::none:
      if (status_expected) return std::nullopt;
      if (http_status >= 400 && http_status < 500) return FailureKind::http_4xx;
      if (http_status >= 500 && http_status < 600) return FailureKind::http_5xx;
      return FailureKind::other;
    case TransferError::connect:
      return FailureKind::connect;
    case TransferError::timeout:
      return FailureKind::timeout;
    case TransferError::tls:
      return FailureKind::tls;
    case TransferError::not_allowed:
      return FailureKind::not_allowed;
    case TransferError::other:
      break;
  }
  return FailureKind::other;
}

}  // namespace grid::agent
