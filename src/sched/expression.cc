// Schedule expressions: parsing, validation and slot search (scheduling.md §2–3,
// reliability.md §5.5). Cron slots are found day by day in the zone's civil calendar
// (jumping over months and years that cannot match), then inside a day with bit scans;
// only days that contain a UTC-offset change take the slow path that resolves every
// (hour, minute) pair through date/tz and applies the §3.2 DST rule.
#include "sched/expression.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <bit>
#include <bitset>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <exception>

namespace ebb::sched {
namespace {

using std::chrono::seconds;

constexpr int kYearMin = 1970;
constexpr int kYearMax = 2199;
constexpr int kNeverFiresYears = 28;   // §2.6: covers every leap-year/weekday combination
constexpr int kSearchYears = 100;      // next_after/latest bound for expressions without a Year field
constexpr int64_t kDaySec = 86400;

Error invalid(std::string msg) { return Error{Code::Invalid, std::move(msg)}; }

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

const date::time_zone* as_tz(const void* p) { return static_cast<const date::time_zone*>(p); }

// ---- civil calendar on day numbers (days since 1970-01-01) ----

struct Civil {
  int y;
  unsigned m, d, wd, dim;  // wd: 0 = Sunday; dim: days in month
};

Civil civil(int64_t dn) {
  date::sys_days sd{date::days{dn}};
  date::year_month_day ymd{sd};
  Civil c;
  c.y = int(ymd.year());
  c.m = unsigned(ymd.month());
  c.d = unsigned(ymd.day());
  c.wd = date::weekday{sd}.c_encoding();
  c.dim = unsigned((ymd.year() / ymd.month() / date::last).day());
  return c;
}

int64_t day_number(int y, unsigned m, unsigned d) {
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}}.time_since_epoch().count();
}

unsigned days_in(int y, unsigned m) {
  return unsigned((date::year{y} / date::month{m} / date::last).day());
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

std::string iso_utc(int64_t s) {
  date::sys_seconds t{seconds{s}};
  auto dp = date::floor<date::days>(t);
  date::year_month_day ymd{dp};
  auto tod = s - dp.time_since_epoch().count() * kDaySec;
  char b[40];
  std::snprintf(b, sizeof b, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(tod / 3600), int(tod / 60 % 60), int(tod % 60));
  return b;
}

std::string hhmm(int64_t local_s) {
  int64_t tod = local_s - floor_div(local_s, kDaySec) * kDaySec;
  std::string r = two(int(tod / 3600)) + ":" + two(int(tod / 60 % 60));
  if (tod % 60) r += ":" + two(int(tod % 60));
  return r;
}

int first_bit_from(uint64_t bits, int k) {
  if (k >= 64) return -1;
  if (k < 0) k = 0;
  uint64_t m = bits & (~uint64_t{0} << k);
  return m ? std::countr_zero(m) : -1;
}

int last_bit_to(uint64_t bits, int k) {
  if (k < 0) return -1;
  uint64_t m = k >= 63 ? bits : bits & ((uint64_t{2} << k) - 1);
  return m ? 63 - std::countl_zero(m) : -1;
}

const char* const kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kMonthLong[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
const char* const kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// ---- the cron model shared by both dialects ----

struct Cron {
  bool eb = false;
  uint64_t minutes = 0;  // bit m, 0-59
  uint64_t hours = 0;    // bit h, 0-23
  uint64_t dom = 0;      // bit d, 1-31
  uint64_t months = 0;   // bit m, 1-12
  uint64_t dow = 0;      // bit w, 0-6, 0 = Sunday
  bool dom_star = false, dow_star = false;  // Kubernetes: unrestricted (§2.2 day rule)
  // EventBridge extras (§2.3).
  bool dom_q = false, dow_q = false;
  bool dom_last = false;
  int dom_w = 0;          // nW
  int dow_last = -1;      // nL: last weekday n (0-6) of the month
  int nth_wd = -1, nth_k = 0;  // n#k
  std::bitset<kYearMax - kYearMin + 1> years;
  bool fixed = false;

  bool year_ok(int y) const {
    if (!eb) return true;
    return y >= kYearMin && y <= kYearMax && years.test(size_t(y - kYearMin));
  }
  int next_year(int y) const {  // first allowed year > y, or 0
    for (int v = std::max(y + 1, kYearMin); v <= kYearMax; ++v)
      if (years.test(size_t(v - kYearMin))) return v;
    return 0;
  }
  int prev_year(int y) const {
    for (int v = std::min(y - 1, kYearMax); v >= kYearMin; --v)
      if (years.test(size_t(v - kYearMin))) return v;
    return 0;
  }
  int last_year() const { return prev_year(kYearMax + 1); }

  bool day_matches(const Civil& c) const {
    if (eb) {
      if (dom_q) {
        if (dow_last >= 0) return int(c.wd) == dow_last && c.d + 7 > c.dim;
        if (nth_wd >= 0) return int(c.wd) == nth_wd && int((c.d - 1) / 7 + 1) == nth_k;
        return dow >> c.wd & 1;
      }
      if (dom_last) return c.d == c.dim;
      if (dom_w) return int(c.d) == w_day(c);
      return dom >> c.d & 1;
    }
    bool dm = dom >> c.d & 1, wm = dow >> c.wd & 1;
    if (dom_star || dow_star) return dm && wm;
    return dm || wm;
  }

  // nW: the weekday nearest to day n within the month (0 when the month is too short).
  int w_day(const Civil& c) const {
    int n = dom_w;
    if (n > int(c.dim)) return 0;
    int wd = int((c.wd + 7 + (n - int(c.d)) % 7) % 7);  // weekday of day n
    if (wd == 6) return n == 1 ? n + 2 : n - 1;
    if (wd == 0) return n == int(c.dim) ? n - 2 : n + 1;
    return n;
  }
};

enum class Kind { Cron, Every, Rate, At };

}  // namespace

struct Expression::Impl {
  std::string text;
  Dialect dialect = Dialect::Kubernetes;
  Kind kind = Kind::Cron;
  std::string zone_name;
  const date::time_zone* tz = nullptr;
  Cron cron;
  std::string fields[6];       // cron field texts (describe)
  int64_t period_ms = 0;       // rate / @every
  int64_t anchor_ms = 0;       // rate: first slot; @every: creation (slots anchor + k·d, k >= 1)
  int64_t at_ms = 0;
  std::string at_text;
  std::string rate_text;       // "5 minutes" / "1h30m"
  int64_t created_ms = 0;
  DstPolicy dst;
  std::vector<std::string> warnings;

  std::optional<int64_t> next(int64_t after_ms, int64_t limit_day) const;
  std::optional<int64_t> prev(int64_t t_ms, int64_t limit_day) const;
  std::optional<int64_t> first_in_day(int64_t dn, int64_t min_s) const;
  std::optional<int64_t> last_in_day(int64_t dn, int64_t max_s) const;
  template <class F>
  void resolve(int64_t local_s, F&& emit) const;
  int64_t local_day_of(int64_t s) const {
    auto lt = tz->to_local(date::sys_seconds{seconds{s}});
    return date::floor<date::days>(lt).time_since_epoch().count();
  }
};

namespace {

// ---- time zone names (§3.1, reliability.md §5.5) ----

std::optional<Error> check_zone_name(std::string_view name) {
  if (name.empty()) return invalid("timeZone: must not be empty (omit it for UTC)");
  if (name.size() > 64) return invalid("timeZone: longer than 64 characters");
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = std::isalnum(c) || c == '.' || c == '_' || c == '+' || c == '-' || c == '/';
    if (!ok) {
      char b[120];
      std::snprintf(b, sizeof b,
                    "timeZone: character 0x%02x at column %zu is not allowed (IANA names use A-Z a-z 0-9 . _ + - /)",
                    c, i + 1);
      return invalid(b);
    }
  }
  if (name[0] == '/') return invalid("timeZone: absolute paths are not allowed; use an IANA name such as Europe/Berlin");
  if (iequals(name, "Local") || iequals(name, "localtime"))
    return invalid("timeZone: \"" + std::string(name) +
                   "\" is not allowed: ebb never uses the server's zone; name the zone (default UTC)");
  size_t start = 0;
  bool single = name.find('/') == std::string_view::npos;
  while (true) {
    size_t end = name.find('/', start);
    std::string_view part = name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty()) return invalid("timeZone: empty name part in \"" + std::string(name) + "\"");
    if (part == "." || part == "..") return invalid("timeZone: \"" + std::string(part) + "\" is not allowed in a zone name");
    if (part.size() > 14) return invalid("timeZone: each /-separated part is 1-14 characters; \"" + std::string(part) + "\" is longer");
    if (part[0] == '-') return invalid("timeZone: a name part must not start with '-'");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (single) {
    // "UTC+3", "GMT+25", "+03:00": an offset, not a zone (legacy GMT+0/GMT-0 included).
    size_t sign = name.find_first_of("+-");
    if (sign != std::string_view::npos && sign + 1 < name.size() && is_digit(name[sign + 1]))
      return invalid("timeZone: \"" + std::string(name) +
                     "\" looks like a UTC offset; use an IANA name (e.g. America/Sao_Paulo, or Etc/GMT-3 for UTC+3: "
                     "Etc/ signs are inverted)");
  }
  return std::nullopt;
}

// ---- standard cron (§2.2) ----

struct FieldDef {
  const char* name;
  int lo, hi;
  const char* const* names;  // 3-letter names or null
  int name_base;             // value of names[0]
};

const FieldDef kK8sFields[5] = {
    {"minute", 0, 59, nullptr, 0},
    {"hour", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 1},
    {"day-of-week", 0, 7, kDayNames, 0},
};

const FieldDef kEbFields[6] = {
    {"minutes", 0, 59, nullptr, 0},
    {"hours", 0, 23, nullptr, 0},
    {"day-of-month", 1, 31, nullptr, 0},
    {"month", 1, 12, kMonthNames, 1},
    {"day-of-week", 1, 7, kDayNames, 1},
    {"year", kYearMin, kYearMax, nullptr, 0},
};

std::string range_text(const FieldDef& f) {
  std::string r = std::to_string(f.lo) + "-" + std::to_string(f.hi);
  if (f.names) r += " or " + std::string(f.names[0]) + "-" + f.names[f.hi - f.lo == 7 ? 6 : f.hi - f.lo];
  return r;
}

// A value: digits or a 3-letter name of the field.
Result<int> parse_value(std::string_view s, const FieldDef& f, bool k8s) {
  if (s.empty()) return invalid(std::string(f.name) + ": missing value");
  if (all_digits(s)) {
    if (s.size() > 6) return invalid(std::string(f.name) + ": " + std::string(s) + " is out of range " + range_text(f));
    int v = std::stoi(std::string(s));
    if (v < f.lo || v > f.hi) {
      std::string msg = std::string(f.name) + ": " + std::string(s) + " is out of range ";
      if (k8s && f.hi == 7) return invalid(msg + "0-6 (0 = Sunday; 7 is also accepted as Sunday)");
      return invalid(msg + range_text(f));
    }
    return v;
  }
  if (f.names) {
    int n = f.hi - f.lo + 1 - (k8s && f.hi == 7 ? 1 : 0);
    for (int i = 0; i < n; ++i)
      if (iequals(s, f.names[i])) return f.name_base + i;
  }
  if (k8s) {
    for (char c : s)
      if (c == 'L' || c == 'l' || c == 'W' || c == 'w' || c == '#')
        return invalid(std::string(f.name) + ": \"" + std::string(s) +
                       "\" is not standard cron (L, W and # are EventBridge syntax); use cron(…) in a Schedule");
  }
  return invalid(std::string(f.name) + ": \"" + std::string(s) + "\" is not a value (" + range_text(f) + ")");
}

Result<int> parse_step(std::string_view s, const FieldDef& f) {
  if (!all_digits(s)) return invalid(std::string(f.name) + ": step \"" + std::string(s) + "\" is not a number");
  if (s.size() > 6) return invalid(std::string(f.name) + ": step " + std::string(s) + " is too large");
  int v = std::stoi(std::string(s));
  if (v == 0) return invalid(std::string(f.name) + ": step must be at least 1 (/0 divides by zero)");
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

struct K8sField {
  uint64_t bits = 0;
  bool star = false;        // unrestricted for the day rule
  bool star_step = false;   // has a "*/n" (n > 1) term
};

Result<K8sField> parse_k8s_field(std::string_view text, const FieldDef& f, std::vector<std::string>& warnings) {
  K8sField out;
  for (std::string_view term : split(text, ',')) {
    if (term.empty()) return invalid(std::string(f.name) + ": empty list element in \"" + std::string(text) + "\"");
    std::string_view base = term, step_s;
    size_t slash = term.find('/');
    if (slash != std::string_view::npos) {
      base = term.substr(0, slash);
      step_s = term.substr(slash + 1);
    }
    int lo, hi, step = 1;
    bool has_step = slash != std::string_view::npos;
    if (has_step) {
      EBB_TRY(step, parse_step(step_s, f));
    }
    if (base == "*" || base == "?") {
      lo = f.lo;
      hi = f.hi == 7 ? 6 : f.hi;
      if (step == 1) out.star = true;
      else out.star_step = true;
    } else {
      size_t dash = base.find('-', 1);
      if (dash != std::string_view::npos) {
        EBB_TRY(lo, parse_value(base.substr(0, dash), f, true));
        EBB_TRY(hi, parse_value(base.substr(dash + 1), f, true));
        if (lo > hi)
          return invalid(std::string(f.name) + ": beginning of range (" + std::to_string(lo) + ") after end (" +
                         std::to_string(hi) + ") in \"" + std::string(term) + "\"");
      } else {
        EBB_TRY(lo, parse_value(base, f, true));
        hi = has_step ? (f.hi == 7 ? 6 : f.hi) : lo;
      }
    }
    int span_hi = f.hi == 7 ? 6 : f.hi;
    if (has_step && step > span_hi - f.lo)
      warnings.push_back(std::string(f.name) + ": step " + std::to_string(step) + " is larger than the field's range " +
                         std::to_string(f.lo) + "-" + std::to_string(span_hi) + "; \"" + std::string(term) +
                         "\" fires once per period");
    for (int v = lo; v <= hi; v += step) {
      if (f.hi == 7 && v == 7) {
        out.bits |= 1;
        warnings.push_back("day-of-week: 7 means Sunday here but is not portable (Kubernetes' parser rejects it); use 0");
      } else {
        out.bits |= uint64_t{1} << v;
      }
    }
  }
  return out;
}

bool is_fixed(std::string_view minute, std::string_view hour) {
  auto has = [](std::string_view s) { return s.find_first_of("*?/") != std::string_view::npos; };
  return !has(minute) && !has(hour);
}

Result<Cron> parse_k8s(const std::vector<std::string_view>& fs, std::vector<std::string>& warnings) {
  Cron c;
  K8sField r[5];
  for (int i = 0; i < 5; ++i) {
    EBB_TRY(r[i], parse_k8s_field(fs[size_t(i)], kK8sFields[i], warnings));
  }
  c.minutes = r[0].bits;
  c.hours = r[1].bits;
  c.dom = r[2].bits;
  c.months = r[3].bits;
  c.dow = r[4].bits;
  c.dom_star = r[2].star;
  c.dow_star = r[4].star;
  c.fixed = is_fixed(fs[0], fs[1]);
  if ((r[2].star_step && !c.dom_star && !c.dow_star) || (r[4].star_step && !c.dow_star && !c.dom_star))
    warnings.push_back("day-of-month \"" + std::string(fs[2]) + "\" and day-of-week \"" + std::string(fs[4]) +
                       "\" are both restricted: ebb (like Kubernetes) fires on days matching either; ISC/Vixie cron "
                       "would treat the */n field as unrestricted and fire only on days matching both");
  // Remove duplicate warnings (e.g. several 7s).
  std::sort(warnings.begin(), warnings.end());
  warnings.erase(std::unique(warnings.begin(), warnings.end()), warnings.end());
  return c;
}

// ---- EventBridge cron() (§2.3) ----

// Values of a generic EventBridge list field (wrapping ranges allowed), as bits at value offset.
Result<uint64_t> parse_eb_simple(std::string_view text, const FieldDef& f, std::bitset<kYearMax - kYearMin + 1>* years,
                                 bool allow_step) {
  uint64_t bits = 0;
  auto set = [&](int v) {
    if (years) years->set(size_t(v - kYearMin));
    else bits |= uint64_t{1} << v;
  };
  for (std::string_view term : split(text, ',')) {
    if (term.empty()) return invalid(std::string(f.name) + ": empty list element in \"" + std::string(text) + "\"");
    if (term.find('?') != std::string_view::npos)
      return invalid(std::string(f.name) + ": '?' is allowed only in day-of-month or day-of-week");
    std::string_view base = term;
    int step = 1;
    size_t slash = term.find('/');
    bool has_step = slash != std::string_view::npos;
    if (has_step) {
      if (!allow_step) return invalid(std::string(f.name) + ": '/' is not allowed in this field");
      base = term.substr(0, slash);
      EBB_TRY(step, parse_step(term.substr(slash + 1), f));
    }
    int lo, hi;
    bool wrap = false;
    if (base == "*") {
      lo = f.lo;
      hi = f.hi;
    } else {
      size_t dash = base.find('-', 1);
      if (dash != std::string_view::npos) {
        EBB_TRY(lo, parse_value(base.substr(0, dash), f, false));
        EBB_TRY(hi, parse_value(base.substr(dash + 1), f, false));
        wrap = lo > hi;
      } else {
        EBB_TRY(lo, parse_value(base, f, false));
        hi = has_step ? f.hi : lo;
      }
    }
    // Walk the (possibly wrapped) sequence lo, lo+1, …, hi taking every step-th value.
    int n = wrap ? (f.hi - lo + 1) + (hi - f.lo + 1) : hi - lo + 1;
    for (int i = 0; i < n; i += step) {
      int v = lo + i;
      if (v > f.hi) v = f.lo + (v - f.hi - 1);
      set(v);
    }
  }
  return bits;
}

Result<Cron> parse_eb(const std::vector<std::string_view>& fs) {
  Cron c;
  c.eb = true;
  std::string_view dom = fs[2], dow = fs[4];
  c.dom_q = dom == "?";
  c.dow_q = dow == "?";
  if (c.dom_q == c.dow_q)
    return invalid(std::string("day-of-month/day-of-week: exactly one of them must be '?' (got \"") + std::string(dom) +
                   "\" and \"" + std::string(dow) + "\")");
  EBB_TRY(c.minutes, parse_eb_simple(fs[0], kEbFields[0], nullptr, true));
  EBB_TRY(c.hours, parse_eb_simple(fs[1], kEbFields[1], nullptr, true));
  EBB_TRY(c.months, parse_eb_simple(fs[3], kEbFields[3], nullptr, true));
  EBB_TRY(auto unused, parse_eb_simple(fs[5], kEbFields[5], &c.years, true));
  (void)unused;
  const FieldDef& fdom = kEbFields[2];
  const FieldDef& fdow = kEbFields[4];
  if (!c.dom_q) {
    c.dow = 0x7f;
    bool has_l = dom.find_first_of("Ll") != std::string_view::npos;
    bool has_w = dom.find_first_of("Ww") != std::string_view::npos;
    if (dom.find('#') != std::string_view::npos) return invalid("day-of-month: '#' is allowed only in day-of-week");
    if (has_l || has_w) {
      if (dom.find(',') != std::string_view::npos || dom.find('-') != std::string_view::npos ||
          dom.find('/') != std::string_view::npos) {
        if (iequals(dom.substr(0, std::min<size_t>(2, dom.size())), "L-"))
          return invalid("day-of-month: \"" + std::string(dom) + "\" (L-n) is not supported; use L alone");
        return invalid("day-of-month: L and nW must be used alone (no list, range or step): \"" + std::string(dom) + "\"");
      }
      if (iequals(dom, "L")) {
        c.dom_last = true;
      } else if (iequals(dom, "LW")) {
        return invalid("day-of-month: LW is not supported; use L or nW");
      } else if (has_w && (dom.back() == 'W' || dom.back() == 'w') && all_digits(dom.substr(0, dom.size() - 1))) {
        EBB_TRY(int n, parse_value(dom.substr(0, dom.size() - 1), fdom, false));
        c.dom_w = n;
      } else {
        return invalid("day-of-month: \"" + std::string(dom) + "\" is not valid (L, nW, or values 1-31)");
      }
    } else {
      EBB_TRY(c.dom, parse_eb_simple(dom, fdom, nullptr, true));
    }
  } else {
    c.dom = ~uint64_t{0};
    if (dow.find('/') != std::string_view::npos) return invalid("day-of-week: '/' is not allowed in day-of-week");
    size_t hashes = size_t(std::count(dow.begin(), dow.end(), '#'));
    bool has_list = dow.find(',') != std::string_view::npos;
    bool ends_l = !dow.empty() && (dow.back() == 'L' || dow.back() == 'l');
    if (hashes > 0) {
      if (hashes > 1 || has_list) return invalid("day-of-week: one '#' term only, and it must be the only term (\"" + std::string(dow) + "\")");
      size_t h = dow.find('#');
      EBB_TRY(int n, parse_value(dow.substr(0, h), fdow, false));
      std::string_view ks = dow.substr(h + 1);
      if (!all_digits(ks) || ks.size() > 1 || ks[0] < '1' || ks[0] > '5')
        return invalid("day-of-week: in n#k, k is 1-5 (\"" + std::string(dow) + "\")");
      c.nth_wd = n - 1;
      c.nth_k = ks[0] - '0';
    } else if (iequals(dow, "L")) {
      c.dow = uint64_t{1} << 6;  // L alone = Saturday (7)
    } else if (ends_l) {
      if (has_list || dow.find('-') != std::string_view::npos)
        return invalid("day-of-week: nL must be the only term (\"" + std::string(dow) + "\")");
      EBB_TRY(int n, parse_value(dow.substr(0, dow.size() - 1), fdow, false));
      c.dow_last = n - 1;
    } else {
      EBB_TRY(uint64_t bits, parse_eb_simple(dow, fdow, nullptr, false));
      c.dow = bits >> 1;  // 1-7 (1 = Sunday) → 0-6
    }
  }
  c.fixed = is_fixed(fs[0], fs[1]);
  return c;
}

// ---- helpers for rate(), @every, at() ----

Result<int64_t> parse_go_duration_ms(std::string_view s) {
  // Go time.ParseDuration subset: sequence of <decimal><unit>, units ns us µs ms s m h.
  if (s.empty()) return invalid("@every: missing duration (e.g. @every 1h30m)");
  long double total_ns = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (is_digit(s[j]) || s[j] == '.')) ++j;
    // A number is digits with at most one '.' and at least one digit (".5", "5." as Go);
    // "." or "1.2.3" would make std::stold throw or stop early (fuzz_cron found ".").
    std::string_view number = s.substr(i, j - i);
    const auto dots = std::count(number.begin(), number.end(), '.');
    if (j == i || j - i > 15 || dots > 1 || size_t(dots) == number.size())
      return invalid("@every: \"" + std::string(s) + "\" is not a duration (e.g. 90m, 1h30m)");
    long double v = std::stold(std::string(number));
    size_t k = j;
    while (k < s.size() && !is_digit(s[k]) && s[k] != '.') ++k;
    std::string_view unit = s.substr(j, k - j);
    long double mul;
    if (unit == "ns") mul = 1;
    else if (unit == "us" || unit == "\xC2\xB5s") mul = 1e3L;
    else if (unit == "ms") mul = 1e6L;
    else if (unit == "s") mul = 1e9L;
    else if (unit == "m") mul = 60e9L;
    else if (unit == "h") mul = 3600e9L;
    else return invalid("@every: \"" + std::string(s) + "\" is not a duration (units h, m, s)");
    total_ns += v * mul;
    i = k;
  }
  long double minutes = total_ns / 60e9L;
  long double whole = static_cast<long double>(static_cast<int64_t>(minutes));
  if (minutes < 1 || minutes != whole)
    return invalid("@every: " + std::string(s) + " is not a whole number of minutes >= 1 (schedules have one-minute granularity)");
  if (minutes > 366.0L * 1440)
    return invalid("@every: " + std::string(s) + " is longer than 366 days");
  return static_cast<int64_t>(minutes) * 60000;
}

}  // namespace

// ---- Zone ----

Result<Zone> Zone::find(std::string_view name) {
  if (auto e = check_zone_name(name)) return *e;
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    bool empty_db = false;
    try {
      empty_db = date::get_tzdb().zones.empty();
    } catch (const std::exception&) {
      empty_db = true;
    }
    if (empty_db) return invalid("timeZone: the system time zone database is empty or missing; install tzdata");
    return invalid("timeZone: unknown time zone \"" + std::string(name) + "\" (not in the system tz database)");
  }
  Zone z;
  z.name_ = std::string(name);
  z.tz_ = tz;
  return z;
}

// ---- slot search ----

template <class F>
void Expression::Impl::resolve(int64_t local_s, F&& emit) const {
  auto li = tz->get_info(date::local_seconds{seconds{local_s}});
  switch (li.result) {
    case date::local_info::unique:
      emit(local_s - li.first.offset.count());
      break;
    case date::local_info::nonexistent:
      if (cron.fixed && dst.gap == DstPolicy::Gap::RunAtTransition) emit(li.first.end.time_since_epoch().count());
      break;
    case date::local_info::ambiguous:
      emit(local_s - li.first.offset.count());
      if (!(cron.fixed && dst.overlap == DstPolicy::Overlap::FirstOnly)) emit(local_s - li.second.offset.count());
      break;
  }
}

// Earliest slot (UTC seconds) >= min_s among those produced by civil day `dn`.
std::optional<int64_t> Expression::Impl::first_in_day(int64_t dn, int64_t min_s) const {
  const int64_t l0 = dn * kDaySec;
  auto li = tz->get_info(date::local_seconds{seconds{l0}});
  if (li.result == date::local_info::unique) {
    int64_t off = li.first.offset.count();
    if (li.first.end.time_since_epoch().count() >= l0 + kDaySec - off) {
      // One offset all day: slots are monotone in (hour, minute).
      int64_t thr = min_s + off - l0;  // local second-of-day lower bound
      if (thr >= kDaySec) return std::nullopt;
      int h, m;
      if (thr <= 0) {
        h = first_bit_from(cron.hours, 0);
        m = first_bit_from(cron.minutes, 0);
      } else {
        int64_t tm = (thr + 59) / 60;
        int h0 = int(tm / 60), m0 = int(tm % 60);
        h = first_bit_from(cron.hours, h0);
        if (h < 0) return std::nullopt;
        m = h == h0 ? first_bit_from(cron.minutes, m0) : first_bit_from(cron.minutes, 0);
        if (m < 0) {
          h = first_bit_from(cron.hours, h0 + 1);
          m = first_bit_from(cron.minutes, 0);
        }
      }
      if (h < 0 || m < 0) return std::nullopt;
      return l0 + h * 3600 + m * 60 - off;
    }
  }
  std::optional<int64_t> best;
  for (int h = first_bit_from(cron.hours, 0); h >= 0; h = first_bit_from(cron.hours, h + 1))
    for (int m = first_bit_from(cron.minutes, 0); m >= 0; m = first_bit_from(cron.minutes, m + 1))
      resolve(l0 + h * 3600 + m * 60, [&](int64_t s) {
        if (s >= min_s && (!best || s < *best)) best = s;
      });
  return best;
}

// Latest slot <= max_s among those produced by civil day `dn`.
std::optional<int64_t> Expression::Impl::last_in_day(int64_t dn, int64_t max_s) const {
  const int64_t l0 = dn * kDaySec;
  auto li = tz->get_info(date::local_seconds{seconds{l0}});
  if (li.result == date::local_info::unique) {
    int64_t off = li.first.offset.count();
    if (li.first.end.time_since_epoch().count() >= l0 + kDaySec - off) {
      int64_t thr = max_s + off - l0;  // local second-of-day upper bound
      if (thr < 0) return std::nullopt;
      int64_t tm = std::min<int64_t>(thr / 60, 1439);
      int h0 = int(tm / 60), m0 = int(tm % 60);
      int h = last_bit_to(cron.hours, h0);
      if (h < 0) return std::nullopt;
      int m = h == h0 ? last_bit_to(cron.minutes, m0) : last_bit_to(cron.minutes, 59);
      if (m < 0) {
        h = last_bit_to(cron.hours, h0 - 1);
        m = last_bit_to(cron.minutes, 59);
      }
      if (h < 0 || m < 0) return std::nullopt;
      return l0 + h * 3600 + m * 60 - off;
    }
  }
  std::optional<int64_t> best;
  for (int h = first_bit_from(cron.hours, 0); h >= 0; h = first_bit_from(cron.hours, h + 1))
    for (int m = first_bit_from(cron.minutes, 0); m >= 0; m = first_bit_from(cron.minutes, m + 1))
      resolve(l0 + h * 3600 + m * 60, [&](int64_t s) {
        if (s <= max_s && (!best || s > *best)) best = s;
      });
  return best;
}

// Day by day from the civil day before `after` (a gap at midnight can push a day's slot
// into the next day; an overlap across midnight can pull the next day's slot before
// it), so once a day yields a slot the following day is checked too.
std::optional<int64_t> Expression::Impl::next(int64_t after_ms, int64_t limit_day) const {
  const int64_t min_s = floor_div(after_ms, 1000) + 1;
  int64_t dn = local_day_of(min_s) - 1;
  std::optional<int64_t> best;
  int64_t found = 0;
  while (dn <= limit_day) {
    if (best && dn > found + 1) break;
    Civil c = civil(dn);
    if (!cron.year_ok(c.y)) {
      int ny = cron.next_year(c.y);
      if (ny == 0) break;
      dn = day_number(ny, 1, 1);
      continue;
    }
    if (!(cron.months >> c.m & 1)) {
      dn = c.m == 12 ? day_number(c.y + 1, 1, 1) : day_number(c.y, c.m + 1, 1);
      continue;
    }
    if (cron.day_matches(c)) {
      if (auto s = first_in_day(dn, min_s)) {
        if (!best) found = dn;
        if (!best || *s < *best) best = s;
      }
    }
    ++dn;
  }
  if (!best) return std::nullopt;
  return *best * 1000;
}

std::optional<int64_t> Expression::Impl::prev(int64_t t_ms, int64_t limit_day) const {
  const int64_t max_s = floor_div(t_ms, 1000);
  int64_t dn = local_day_of(max_s) + 1;
  std::optional<int64_t> best;
  int64_t found = 0;
  while (dn >= limit_day) {
    if (best && dn < found - 1) break;
    Civil c = civil(dn);
    if (!cron.year_ok(c.y)) {
      int py = cron.prev_year(c.y);
      if (py == 0) break;
      dn = day_number(py, 12, 31);
      continue;
    }
    if (!(cron.months >> c.m & 1)) {
      dn = day_number(c.y, c.m, 1) - 1;
      continue;
    }
    if (cron.day_matches(c)) {
      if (auto s = last_in_day(dn, max_s)) {
        if (!best) found = dn;
        if (!best || *s > *best) best = s;
      }
    }
    --dn;
  }
  if (!best) return std::nullopt;
  return *best * 1000;
}

// ---- parse ----

namespace {

Error field_count_error(size_t n, bool eb_wrapper) {
  if (eb_wrapper)
    return invalid("cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got " + std::to_string(n) +
                   "; standard cron takes 5 fields without the cron(…) wrapper");
  std::string msg = "standard cron takes 5 fields (minute hour day-of-month month day-of-week), got " + std::to_string(n);
  if (n == 6 || n == 7)
    msg += "; a 6-field expression with a year is written cron(minutes hours day-of-month month day-of-week year) "
           "(Schedule only); seconds fields are not supported";
  return invalid(msg);
}

std::vector<std::string_view> split_blanks(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_blank(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_blank(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Characters allowed in cron fields; anything else is reported with its column.
std::optional<Error> check_chars(std::string_view body, size_t col0, bool eb) {
  for (size_t i = 0; i < body.size(); ++i) {
    char ch = body[i];
    if (std::isalnum(static_cast<unsigned char>(ch)) || is_blank(ch) || ch == '*' || ch == '?' || ch == ',' ||
        ch == '-' || ch == '/')
      continue;
    if (ch == '#') {
      if (eb) continue;
      return invalid("column " + std::to_string(col0 + i + 1) +
                     ": '#' is not standard cron (L, W and # are EventBridge syntax); use cron(…) in a Schedule");
    }
    char b[64];
    if (ch > 0x20 && ch < 0x7f) std::snprintf(b, sizeof b, "column %zu: unexpected character '%c'", col0 + i + 1, ch);
    else std::snprintf(b, sizeof b, "column %zu: unexpected byte 0x%02x", col0 + i + 1, static_cast<unsigned char>(ch));
    return invalid(b);
  }
  return std::nullopt;
}

bool starts_with_ci(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && iequals(s.substr(0, p.size()), p);
}

}  // namespace

Expression::Expression() = default;
Expression::~Expression() = default;
Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;

Result<Expression> Expression::parse(std::string_view text, Dialect d, const Zone& zone, int64_t now_ms,
                                     bool allow_past_at) {
  if (!zone.tz()) return invalid("timeZone: no zone (use Zone::find)");
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  impl->dialect = d;
  impl->zone_name = zone.name();
  impl->tz = as_tz(zone.tz());
  impl->created_ms = now_ms;

  // Only printable ASCII, spaces and tabs (§2.1).
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t') || c >= 0x7f) {
      char b[64];
      std::snprintf(b, sizeof b, "column %zu: unexpected byte 0x%02x", i + 1, c);
      return invalid(b);
    }
  }
  size_t b = 0, e = text.size();
  while (b < e && is_blank(text[b])) ++b;
  while (e > b && is_blank(text[e - 1])) --e;
  std::string_view s = text.substr(b, e - b);
  if (s.empty()) return invalid("schedule is empty");

  if (starts_with_ci(s, "TZ=") || starts_with_ci(s, "CRON_TZ="))
    return invalid("TZ=/CRON_TZ= prefixes are not supported; set the timeZone field instead");

  auto wrapper = [&](std::string_view kw) -> std::optional<std::string_view> {
    if (!starts_with_ci(s, kw) || s.size() <= kw.size() || s[kw.size()] != '(') return std::nullopt;
    return s.substr(kw.size());
  };
  std::string_view kw;
  std::optional<std::string_view> rest;
  for (std::string_view k : {"cron", "rate", "at"}) {
    rest = wrapper(k);
    if (rest) {
      kw = k;
      break;
    }
  }
  if (rest) {
    if (s.substr(0, kw.size()) != kw)
      return invalid("\"" + std::string(s.substr(0, kw.size())) + "(\": the keyword is lower case: " + std::string(kw) + "(…)");
    if (d == Dialect::Kubernetes)
      return invalid(std::string(kw) + "(…) is accepted only in a Schedule; a CronJob schedule is standard 5-field cron");
    // "kw(" body ")": exactly one pair of parentheses, closing at the end.
    size_t col0 = b + kw.size() + 1;
    std::string_view body = rest->substr(1);
    if (body.empty() || body.back() != ')') return invalid("column " + std::to_string(b + s.size()) + ": expected ')' at the end");
    body.remove_suffix(1);
    for (size_t i = 0; i < body.size(); ++i)
      if (body[i] == '(' || body[i] == ')')
        return invalid("column " + std::to_string(col0 + i + 1) + ": unexpected '" + std::string(1, body[i]) + "'");
    if (kw == "cron") {
      if (auto err = check_chars(body, col0, true)) return *err;
      auto fs = split_blanks(body);
      if (fs.size() != 6) return field_count_error(fs.size(), true);
      EBB_TRY(impl->cron, parse_eb(fs));
      for (int i = 0; i < 6; ++i) impl->fields[i] = std::string(fs[size_t(i)]);
      impl->kind = Kind::Cron;
    } else if (kw == "rate") {
      auto fs = split_blanks(body);
      if (fs.size() != 2) return invalid("rate(…) is rate(value unit), e.g. rate(5 minutes)");
      std::string_view v = fs[0], unit = fs[1];
      if (!all_digits(v) || (v.size() > 1 && v[0] == '0'))
        return invalid("rate: value \"" + std::string(v) + "\" must be a positive whole number without sign or leading zeros");
      if (v.size() > 8 || std::stoll(std::string(v)) > 10000000) return invalid("rate: value must be at most 10000000");
      int64_t n = std::stoll(std::string(v));
      if (n < 1) return invalid("rate: value must be at least 1");
      int64_t unit_ms;
      std::string_view singular;
      if (unit == "minute" || unit == "minutes") unit_ms = 60000, singular = "minute";
      else if (unit == "hour" || unit == "hours") unit_ms = 3600000, singular = "hour";
      else if (unit == "day" || unit == "days") unit_ms = 86400000, singular = "day";
      else return invalid("rate: unit \"" + std::string(unit) + "\" must be minute(s), hour(s) or day(s)");
      bool plural = unit.size() != singular.size();
      if (n == 1 && plural) return invalid("rate: use the singular for 1: rate(1 " + std::string(singular) + ")");
      if (n != 1 && !plural)
        return invalid("rate: use the plural for values other than 1: rate(" + std::string(v) + " " + std::string(singular) + "s)");
      impl->kind = Kind::Rate;
      impl->period_ms = n * unit_ms;
      impl->anchor_ms = floor_div(now_ms, 60000) * 60000;
      impl->rate_text = std::string(v) + " " + std::string(unit);
    } else {  // at
      std::string_view t = body;
      auto dig = [&](size_t from, size_t n) {
        for (size_t i = from; i < from + n; ++i)
          if (!is_digit(t[i])) return false;
        return true;
      };
      if (t.size() != 19 || !dig(0, 4) || t[4] != '-' || !dig(5, 2) || t[7] != '-' || !dig(8, 2) || t[10] != 'T' ||
          !dig(11, 2) || t[13] != ':' || !dig(14, 2) || t[16] != ':' || !dig(17, 2))
        return invalid("at: expected at(yyyy-mm-ddThh:mm:ss) with no offset or fraction, got at(" + std::string(t) + ")");
      int y = std::stoi(std::string(t.substr(0, 4)));
      unsigned mo = unsigned(std::stoi(std::string(t.substr(5, 2))));
      unsigned dd = unsigned(std::stoi(std::string(t.substr(8, 2))));
      int hh = std::stoi(std::string(t.substr(11, 2))), mi = std::stoi(std::string(t.substr(14, 2))),
          ss = std::stoi(std::string(t.substr(17, 2)));
      date::year_month_day ymd{date::year{y}, date::month{mo}, date::day{dd}};
      if (!ymd.ok() || y < kYearMin) return invalid("at: " + std::string(t) + " is not a calendar date");
      if (hh > 23 || mi > 59 || ss > 59) return invalid("at: " + std::string(t) + " is not a valid time of day");
      int64_t local_s = date::sys_days{ymd}.time_since_epoch().count() * kDaySec + hh * 3600 + mi * 60 + ss;
      auto li = impl->tz->get_info(date::local_seconds{seconds{local_s}});
      int64_t inst;
      if (li.result == date::local_info::nonexistent) {
        int64_t tr = li.first.end.time_since_epoch().count();
        return invalid("at: " + std::string(t) + " does not exist in " + zone.name() + ": clocks jump from " +
                       hhmm(tr + li.first.offset.count()) + " to " + hhmm(tr + li.second.offset.count()));
      } else if (li.result == date::local_info::ambiguous) {
        inst = local_s - li.first.offset.count();
        int64_t tr = li.first.end.time_since_epoch().count();
        impl->warnings.push_back("at: " + std::string(t) + " occurs twice in " + zone.name() + " (clocks go back from " +
                                 hhmm(tr + li.first.offset.count()) + " to " + hhmm(tr + li.second.offset.count()) +
                                 "); using the first occurrence, " + iso_utc(inst));
      } else {
        inst = local_s - li.first.offset.count();
      }
      impl->kind = Kind::At;
      impl->at_ms = inst * 1000;
      impl->at_text = std::string(t);
      if (impl->at_ms < now_ms) {
        if (!allow_past_at)
          return invalid("at: " + std::string(t) + " (" + iso_utc(inst) + ") is in the past; allow past instants to run it once now");
        impl->warnings.push_back("at: " + std::string(t) + " (" + iso_utc(inst) + ") is in the past; it runs once, now");
      }
    }
  } else if (s[0] == '@') {
    auto fs = split_blanks(s);
    std::string_view m = fs[0];
    const char* expand = nullptr;
    if (m == "@yearly" || m == "@annually") expand = "0 0 1 1 *";
    else if (m == "@monthly") expand = "0 0 1 * *";
    else if (m == "@weekly") expand = "0 0 * * 0";
    else if (m == "@daily" || m == "@midnight") expand = "0 0 * * *";
    else if (m == "@hourly") expand = "0 * * * *";
    if (expand) {
      if (fs.size() != 1) return invalid(std::string(m) + " takes no arguments");
      auto efs = split_blanks(expand);
      EBB_TRY(impl->cron, parse_k8s(efs, impl->warnings));
      for (int i = 0; i < 5; ++i) impl->fields[i] = std::string(efs[size_t(i)]);
      impl->kind = Kind::Cron;
    } else if (m == "@every") {
      if (fs.size() != 2) return invalid("@every takes one duration, e.g. @every 1h30m");
      EBB_TRY(impl->period_ms, parse_go_duration_ms(fs[1]));
      impl->kind = Kind::Every;
      impl->anchor_ms = floor_div(now_ms, 1000) * 1000;
      impl->rate_text = std::string(fs[1]);
    } else if (m == "@reboot") {
      return invalid("@reboot is not supported (ebb schedules are time-based; use a Service for work at start-up)");
    } else {
      return invalid("unknown macro \"" + std::string(m) +
                     "\" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every)");
    }
  } else {
    if (auto err = check_chars(s, b, false)) return *err;
    auto fs = split_blanks(s);
    if (fs.size() != 5) return field_count_error(fs.size(), false);
    EBB_TRY(impl->cron, parse_k8s(fs, impl->warnings));
    for (int i = 0; i < 5; ++i) impl->fields[i] = std::string(fs[size_t(i)]);
    impl->kind = Kind::Cron;
  }

  if (impl->kind == Kind::Cron) {
    // Never fires (§2.6): day-by-day search, 28 years, or through the Year field.
    const Cron& c = impl->cron;
    int64_t start_day = impl->local_day_of(floor_div(now_ms, 1000));
    int now_year = civil(start_day).y;
    if (c.eb && c.last_year() < now_year)
      return invalid("never fires again: the last year in the year field is " + std::to_string(c.last_year()));
    int64_t limit = c.eb && c.years.count() < c.years.size() ? day_number(c.last_year(), 12, 31)
                                                               : start_day + kNeverFiresYears * 36525 / 100;
    if (!impl->next(now_ms, limit)) {
      // Say why when it is a day-of-month that no allowed month has.
      bool plain_dom = !c.eb ? (c.dow_star && !c.dom_star) : (c.dow_q && !c.dom_last && !c.dom_w);
      if (plain_dom && c.dom) {
        int min_dom = first_bit_from(c.dom, 1);
        std::vector<int> ms;
        bool none = true;
        for (unsigned m = 1; m <= 12; ++m)
          if (c.months >> m & 1) {
            ms.push_back(int(m));
            if (int(days_in(2000, m)) >= min_dom) none = false;
          }
        if (none) {
          if (ms.size() == 1 && (c.dom & (c.dom - 1)) == 0)
            return invalid("never fires: " + std::to_string(min_dom) + " " + kMonthLong[ms[0] - 1]);
          std::string list;
          for (size_t i = 0; i < ms.size(); ++i)
            list += (i ? (i + 1 == ms.size() ? " or " : ", ") : "") + std::string(kMonthLong[ms[i] - 1]);
          return invalid("never fires: day-of-month " + std::to_string(min_dom) + " does not occur in " + list);
        }
      }
      return invalid("never fires: no matching day within " + std::to_string(kNeverFiresYears) + " years");
    }
  }
  Expression out;
  out.impl_ = std::move(impl);
  return out;
}

// ---- queries ----

std::optional<int64_t> Expression::next_after(int64_t after_ms) const {
  if (!impl_) return std::nullopt;
  const Impl& m = *impl_;
  switch (m.kind) {
    case Kind::At:
      if (m.at_ms > after_ms) return m.at_ms;
      return std::nullopt;
    case Kind::Rate:
      if (after_ms < m.anchor_ms) return m.anchor_ms;
      return m.anchor_ms + (floor_div(after_ms - m.anchor_ms, m.period_ms) + 1) * m.period_ms;
    case Kind::Every:
      return m.anchor_ms + std::max<int64_t>(1, floor_div(after_ms - m.anchor_ms, m.period_ms) + 1) * m.period_ms;
    case Kind::Cron: {
      int64_t start = m.local_day_of(floor_div(after_ms, 1000));
      int64_t limit = m.cron.eb && m.cron.years.count() < m.cron.years.size()
                          ? day_number(m.cron.last_year(), 12, 31) + 1
                          : start + int64_t{kSearchYears} * 36525 / 100;
      return m.next(after_ms, limit);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> Expression::latest_at_or_before(int64_t t_ms) const {
  if (!impl_) return std::nullopt;
  const Impl& m = *impl_;
  switch (m.kind) {
    case Kind::At:
      if (m.at_ms <= t_ms) return m.at_ms;
      return std::nullopt;
    case Kind::Rate:
      if (t_ms < m.anchor_ms) return std::nullopt;
      return m.anchor_ms + floor_div(t_ms - m.anchor_ms, m.period_ms) * m.period_ms;
    case Kind::Every: {
      int64_t k = floor_div(t_ms - m.anchor_ms, m.period_ms);
      if (k < 1) return std::nullopt;
      return m.anchor_ms + k * m.period_ms;
    }
    case Kind::Cron: {
      int64_t start = m.local_day_of(floor_div(t_ms, 1000));
      int64_t limit = m.cron.eb && m.cron.years.count() < m.cron.years.size()
                          ? day_number(m.cron.next_year(kYearMin - 1), 1, 1) - 1
                          : start - int64_t{kSearchYears} * 36525 / 100;
      return m.prev(t_ms, limit);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> Expression::initial_slot() const {
  if (!impl_) return std::nullopt;
  const Impl& m = *impl_;
  if (m.kind == Kind::At) return m.at_ms;
  if (m.kind == Kind::Rate && m.anchor_ms <= m.created_ms && m.anchor_ms > m.created_ms - 60000) return m.anchor_ms;
  return next_after(m.created_ms);
}

Expression Expression::with_anchor(int64_t start_ms) const {
  if (!impl_ || impl_->kind != Kind::Rate) return *this;
  auto copy = std::make_shared<Impl>(*impl_);
  copy->anchor_ms = floor_div(start_ms, 60000) * 60000;
  Expression out;
  out.impl_ = std::move(copy);
  return out;
}

Expression Expression::with_dst_policy(DstPolicy p) const {
  if (!impl_) return *this;
  auto copy = std::make_shared<Impl>(*impl_);
  copy->dst = p;
  Expression out;
  out.impl_ = std::move(copy);
  return out;
}

const std::string& Expression::text() const {
  static const std::string empty;
  return impl_ ? impl_->text : empty;
}

Dialect Expression::dialect() const { return impl_ ? impl_->dialect : Dialect::Kubernetes; }

const std::vector<std::string>& Expression::warnings() const {
  static const std::vector<std::string> none;
  return impl_ ? impl_->warnings : none;
}

bool Expression::fixed_time() const { return impl_ && impl_->kind == Kind::Cron && impl_->cron.fixed; }

std::string Expression::describe() const {
  if (!impl_) return "";
  const Impl& m = *impl_;
  switch (m.kind) {
    case Kind::At:
      return "once at " + m.at_text + " (" + m.zone_name + ")";
    case Kind::Rate:
      return "every " + (m.rate_text.rfind("1 ", 0) == 0 ? m.rate_text.substr(2) : m.rate_text);
    case Kind::Every:
      return "every " + m.rate_text + " of elapsed time";
    case Kind::Cron:
      break;
  }
  const Cron& c = m.cron;
  std::string when;
  bool one_h = std::popcount(c.hours) == 1, one_m = std::popcount(c.minutes) == 1;
  if (one_h && one_m)
    when = "at " + two(std::countr_zero(c.hours)) + ":" + two(std::countr_zero(c.minutes));
  else if (std::popcount(c.hours) == 24 && one_m && std::countr_zero(c.minutes) == 0)
    when = "every hour";
  else
    when = "at minute " + m.fields[0] + " of hour " + m.fields[1];
  bool every_month = m.fields[3] == "*";
  bool every_day;
  if (c.eb) every_day = (c.dom_q && m.fields[4] == "*") || (c.dow_q && m.fields[2] == "*");
  else every_day = c.dom_star && c.dow_star;
  std::string days;
  if (every_day && every_month) days = "every day";
  else days = "on days matching day-of-month " + m.fields[2] + ", month " + m.fields[3] + ", day-of-week " + m.fields[4];
  std::string r = when + " " + days;
  if (c.eb && m.fields[5] != "*") r += ", year " + m.fields[5];
  return r + " (" + m.zone_name + ")";
}

}  // namespace ebb::sched
