// IMF-fixdate for the Date header (RFC 9110 §5.6.7). SDKs correct clock skew from it,
// so it is computed per response from the system clock.
#pragma once
#include <ctime>
#include <string>

namespace ebb::http {

std::string http_date(std::time_t t);
std::string http_date_now();

}  // namespace ebb::http
