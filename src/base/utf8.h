// UTF-8 checks shared by the codecs. Strict RFC 3629: no overlong forms, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ebb {

bool utf8_valid(std::string_view s);

// Valid UTF-8 whose every code point is in the XML 1.0 character set
// (#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF), the set SQS
// accepts in message bodies and string attribute values.
bool xml_text_valid(std::string_view s);

// Number of code points; s must be valid UTF-8.
size_t utf8_length(std::string_view s);

// Decodes the code point at s[i] and advances i; returns -1 on invalid input.
int32_t utf8_next(std::string_view s, size_t& i);

}  // namespace ebb
