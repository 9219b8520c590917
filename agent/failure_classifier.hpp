#pragma once

#include <optional>

#include <curl/curl.h>

#include "protocol/wire/failure_kind.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::agent {

/// Classifies a finished transfer. Pure: the transfer's curl result, the HTTP status it
/// got (0 when none) and the status range the request expects. Returns std::nullopt for
/// a success and the one FailureKind that explains the failure otherwise.
std::optional<wire::FailureKind> classify_transfer(CURLcode result, long http_status,
                                                   const wire::StatusRange& expected);

}  // namespace grid::agent
