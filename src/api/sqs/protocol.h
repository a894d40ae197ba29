// Which of the two SQS wire protocols a request speaks (sqs-api.md §2.2).
#pragma once
#include <string_view>

namespace ebb::sqs {

enum class Protocol { Query, Json };

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
inline constexpr std::string_view kXmlContentType = "text/xml";
inline constexpr std::string_view kXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

// Content-Type media type checks (parameters such as "; charset=utf-8" ignored).
bool is_json_content_type(std::string_view content_type);
bool is_form_content_type(std::string_view content_type);

}  // namespace ebb::sqs
