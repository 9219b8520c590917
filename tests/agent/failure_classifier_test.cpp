#include <boost/test/unit_test.hpp>

#include "agent/curl_transport.hpp"
#include "agent/failure_classifier.hpp"

using grid::agent::classify_transfer;
using grid::agent::transfer_error_of;
using grid::agent::TransferError;
using grid::wire::FailureKind;
using grid::wire::StatusRange;

BOOST_AUTO_TEST_SUITE(failure_classifier)

BOOST_AUTO_TEST_CASE(expected_status_is_a_success) {
  BOOST_TEST(!classify_transfer(TransferError::none, 200, StatusRange{200, 299}).has_value());
  BOOST_TEST(!classify_transfer(TransferError::none, 404, StatusRange{404, 404}).has_value());
}

BOOST_AUTO_TEST_CASE(unexpected_statuses_are_classified_by_class) {
  BOOST_TEST((classify_transfer(TransferError::none, 404, StatusRange{}) == FailureKind::http_4xx));
  BOOST_TEST((classify_transfer(TransferError::none, 503, StatusRange{}) == FailureKind::http_5xx));
  BOOST_TEST((classify_transfer(TransferError::none, 302, StatusRange{200, 200}) == FailureKind::other));
  BOOST_TEST((classify_transfer(TransferError::none, 200, StatusRange{201, 201}) == FailureKind::other));
}

BOOST_AUTO_TEST_CASE(transport_errors_are_classified) {
  BOOST_TEST((classify_transfer(transfer_error_of(CURLE_COULDNT_CONNECT), 0, StatusRange{}) == FailureKind::connect));
  BOOST_TEST(
      (classify_transfer(transfer_error_of(CURLE_COULDNT_RESOLVE_HOST), 0, StatusRange{}) == FailureKind::connect));
  BOOST_TEST(
      (classify_transfer(transfer_error_of(CURLE_OPERATION_TIMEDOUT), 0, StatusRange{}) == FailureKind::timeout));
  BOOST_TEST((classify_transfer(transfer_error_of(CURLE_SSL_CONNECT_ERROR), 0, StatusRange{}) == FailureKind::tls));
  BOOST_TEST(
      (classify_transfer(transfer_error_of(CURLE_PEER_FAILED_VERIFICATION), 0, StatusRange{}) == FailureKind::tls));
  BOOST_TEST((classify_transfer(transfer_error_of(CURLE_GOT_NOTHING), 0, StatusRange{}) == FailureKind::other));
  BOOST_TEST((classify_transfer(transfer_error_of(CURLE_RECV_ERROR), 0, StatusRange{}) == FailureKind::other));
}

BOOST_AUTO_TEST_CASE(every_transport_error_has_its_failure_kind) {
  BOOST_TEST((classify_transfer(TransferError::connect, 0, StatusRange{}) == FailureKind::connect));
  BOOST_TEST((classify_transfer(TransferError::timeout, 0, StatusRange{}) == FailureKind::timeout));
  BOOST_TEST((classify_transfer(TransferError::tls, 0, StatusRange{}) == FailureKind::tls));
  BOOST_TEST((classify_transfer(TransferError::not_allowed, 0, StatusRange{}) == FailureKind::not_allowed));
  BOOST_TEST((classify_transfer(TransferError::other, 200, StatusRange{}) == FailureKind::other));
}

BOOST_AUTO_TEST_SUITE_END()
