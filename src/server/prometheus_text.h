// Helpers for the Prometheus text exposition format 0.0.4.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ebb::server {

// Label values escape backslash, double quote and newline.
std::string escape_label(std::string_view v);
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
void sample(std::string& out, std::string_view name,
            std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value);

}  // namespace ebb::server
