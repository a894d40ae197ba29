#include "cli/message_output.h"

#include <cstdio>

#include "cli/api_client.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

bool structured(const std::string& output, const nlohmann::json& j) {
  if (output == "json") {
    std::printf("%s\n", dump_json(j, 2).c_str());
    return true;
  }
  if (output == "yaml") {
    std::fputs(to_yaml(j).c_str(), stdout);
    return true;
  }
  return false;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  return it->is_string() ? it->get<std::string>() : dump_json(*it);
}

// Message attribute value: {"DataType":"String","StringValue":"x"} → "x".
std::string attribute_text(const nlohmann::json& v) {
  if (!v.is_object()) return dump_json(v);
  if (v.contains("StringValue")) return str(v, "StringValue");
  if (v.contains("BinaryValue")) return "(binary) " + str(v, "BinaryValue");
  return dump_json(v);
}

}  // namespace

void print_sent(const nlohmann::json& r, const std::string& output) {
  if (structured(output, r)) return;
  std::printf("MessageId:               %s\n", str(r, "MessageId").c_str());
  std::printf("MD5OfMessageBody:        %s\n", str(r, "MD5OfMessageBody").c_str());
  if (r.contains("MD5OfMessageAttributes")) {
    std::printf("MD5OfMessageAttributes:  %s\n", str(r, "MD5OfMessageAttributes").c_str());
  }
  if (r.contains("SequenceNumber")) std::printf("SequenceNumber:          %s\n", str(r, "SequenceNumber").c_str());
}

void print_messages(const nlohmann::json& r, const std::string& output) {
  if (structured(output, r)) return;
  auto msgs = r.find("Messages");
  if (msgs == r.end() || !msgs->is_array() || msgs->empty()) {
    std::fputs("No messages.\n", stderr);
    return;
  }
  std::size_t i = 0;
  for (const auto& m : *msgs) {
    if (i > 0) std::printf("\n");
    std::printf("--- message %zu of %zu\n", ++i, msgs->size());
    std::printf("MessageId:                        %s\n", str(m, "MessageId").c_str());
    if (m.contains("ReceiptHandle")) std::printf("ReceiptHandle:                    %s\n", str(m, "ReceiptHandle").c_str());
    if (auto a = m.find("Attributes"); a != m.end() && a->is_object()) {
      for (auto it = a->begin(); it != a->end(); ++it) {
        std::printf("%-33s %s\n", (it.key() + ":").c_str(), it.value().is_string() ? it.value().get<std::string>().c_str() : dump_json(it.value()).c_str());
      }
    }
    if (auto a = m.find("MessageAttributes"); a != m.end() && a->is_object() && !a->empty()) {
      std::printf("MessageAttributes:\n");
      for (auto it = a->begin(); it != a->end(); ++it) {
        std::printf("  %s = %s\n", it.key().c_str(), attribute_text(it.value()).c_str());
      }
    }
    std::printf("Body:\n%s\n", str(m, "Body").c_str());
  }
}

}  // namespace ebb::cli
