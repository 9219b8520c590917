#include "agent/failure_classifier.hpp"

namespace grid::agent {

std::optional<wire::FailureKind> classify_transfer(CURLcode result, long http_status, bool status_expected) {
  using wire::FailureKind;
  switch (result) {
    case CURLE_OK:
      if (status_expected) return std::nullopt;
      if (http_status >= 400 && http_status < 500) return FailureKind::http_4xx;
      if (http_status >= 500 && http_status < 600) return FailureKind::http_5xx;
      return FailureKind::other;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return FailureKind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return FailureKind::timeout;
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
      return FailureKind::tls;
    default:
      return FailureKind::other;
  }
}

}  // namespace grid::agent
