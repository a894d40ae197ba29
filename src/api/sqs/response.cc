#include "api/sqs/response.h"

#include "api/sqs/json_writer.h"
#include "api/sqs/xml_writer.h"

namespace ebb::sqs {

namespace {

constexpr std::string_view kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

std::string_view error_message(Protocol p, const Error& e) {
  if (e.code == Code::NonExistentQueue)
    return p == Protocol::Query ? "The specified queue does not exist for this wsdl version."
                                : "The specified queue does not exist.";
  return e.message;
}

}  // namespace

SqsResponse render_result(Protocol p, std::string_view action, const Value* result, std::string_view request_id) {
  SqsResponse r;
  r.status = 200;
  r.action = std::string(action);
  if (p == Protocol::Json) {
    r.content_type = std::string(kJsonContentType);
    if (result) {
      r.body.reserve(256);
      write_json(*result, r.body);
    } else {
      r.body = "{}";
    }
    return r;
  }
  r.content_type = std::string(kXmlContentType);
  std::string& b = r.body;
  b.reserve(512);
  b.append(kXmlDecl).append("<").append(action).append("Response xmlns=\"").append(kXmlNamespace).append("\">");
  if (result) {
    if (result->members.empty()) {
      b.append("<").append(action).append("Result/>");
    } else {
      b.append("<").append(action).append("Result>");
      write_xml_members(*result, b);
      b.append("</").append(action).append("Result>");
    }
  }
  b.append("<ResponseMetadata><RequestId>");
  xml_escape_into(request_id, b);
  b.append("</RequestId></ResponseMetadata></").append(action).append("Response>");
  return r;
}

SqsResponse render_error(Protocol p, std::string_view action, const Error& e, std::string_view request_id) {
  const CodeInfo& info = code_info(e.code);
  SqsResponse r;
  r.status = info.http_status;
  r.action = std::string(action);
  r.metric_code = std::string(info.query_code);
  std::string_view message = error_message(p, e);
  if (p == Protocol::Json) {
    r.error_code = std::string(info.json_type);
    r.content_type = std::string(kJsonContentType);
    r.body.append("{\"__type\":\"com.amazonaws.sqs#").append(info.json_type).append("\",\"message\":\"");
    json_escape_into(message, r.body);
    r.body.append("\"}");
    if (info.query_error_header)
      r.headers.emplace_back("x-amzn-query-error",
                             std::string(info.query_code) + (info.sender ? ";Sender" : ";Receiver"));
    return r;
  }
  r.error_code = std::string(info.query_code);
  r.content_type = std::string(kXmlContentType);
  std::string& b = r.body;
  b.append(kXmlDecl).append("<ErrorResponse xmlns=\"").append(kXmlNamespace).append("\"><Error><Type>");
  b.append(info.sender ? "Sender" : "Receiver").append("</Type><Code>").append(info.query_code).append("</Code><Message>");
  xml_escape_into(xml_safe_text(message), b);
  b.append("</Message><Detail/></Error><RequestId>");
  xml_escape_into(request_id, b);
  b.append("</RequestId></ErrorResponse>");
  return r;
}

}  // namespace ebb::sqs
