#pragma once

#include <optional>

#include "agent/transport.hpp"
#include "protocol/wire/failure_kind.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::agent {

/// Classifies a finished request, whichever transport served it. Pure: how the transfer
/// ended, the HTTP status it got (0 when none) and whether the request expects that
/// status. Returns std::nullopt for a success and the one FailureKind that explains the
/// failure otherwise.
std::optional<wire::FailureKind> classify_transfer(TransferError error, long http_status, bool status_expected);

/// The same, for a request that expects one range of statuses.
inline std::optional<wire::FailureKind> classify_transfer(TransferError error, long http_status,
                                                          const wire::StatusRange& expected) {
  return classify_transfer(error, http_status, expected.contains(http_status));
}

}  // namespace grid::agent
