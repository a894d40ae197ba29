#include "manifest/yaml_reader.h"

#include <map>
#include <memory>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "manifest/checker.h"
#include "manifest/manifest.h"
#include "manifest/plain_scalar.h"
#include "base/utf8.h"

namespace ebb::manifest {
namespace {

// A node of the document as parsed, before conversion. Aliased nodes are shared, so
// the tree stays as small as the text; `expanded` counts what conversion would build.
struct Node {
  enum class Type { Null, Scalar, Seq, Map } type = Type::Null;
  YAML::Mark mark;
  std::string tag;
  std::string value;                          // Scalar
  std::vector<std::shared_ptr<Node>> items;   // Seq; Map: key, value, key, value…
  std::size_t expanded = 1;                   // nodes after alias expansion
  int alias_depth = 0;                        // deepest chain of aliases below
};
using NodePtr = std::shared_ptr<Node>;

// Thrown from inside yaml-cpp's callbacks to stop parsing; caught in read_document.
struct Abort {
  std::string message;
};

std::string where(const YAML::Mark& m, int first_line) {
  return "line " + std::to_string(m.line + first_line + 1) + ", column " + std::to_string(m.column + 1);
}

class Builder final : public YAML::EventHandler {
 public:
  explicit Builder(int first_line) : first_line_(first_line) {}
  NodePtr root() const { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto n = std::make_shared<Node>();
    n->mark = mark;
    add(n, anchor, false);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    // An alias to an anchor whose node is still open is a recursive structure.
    if (it == anchors_.end()) throw Abort{where(mark, first_line_) + ": alias refers to a node that contains it"};
    add(it->second, 0, true);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto n = std::make_shared<Node>();
    n->type = Node::Type::Scalar;
    n->mark = mark;
    n->tag = tag;
    n->value = value;
    add(n, anchor, false);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Type::Seq, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Type::Map, mark, tag, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    NodePtr node;
    YAML::anchor_t anchor;
  };

  void open(Node::Type type, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    // Nesting beyond this is never a real manifest; it also bounds conversion's recursion.
    if (stack_.size() >= 64) throw Abort{where(mark, first_line_) + ": nested more than 64 levels deep"};
    auto n = std::make_shared<Node>();
    n->type = type;
    n->mark = mark;
    n->tag = tag;
    stack_.push_back(Open{n, anchor});
  }

  void close() {
    Open o = stack_.back();
    stack_.pop_back();
    // The anchor becomes usable only now: aliases inside it were recursive (see OnAlias).
    add(o.node, o.anchor, false);
  }

  void add(const NodePtr& n, YAML::anchor_t anchor, bool via_alias) {
    if (anchor != 0) anchors_[anchor] = n;
    if (stack_.empty()) {
      root_ = n;
      check_limits(*n, n->mark);
      return;
    }
    Node& parent = *stack_.back().node;
    parent.items.push_back(n);
    parent.expanded += n->expanded;
    parent.alias_depth = std::max(parent.alias_depth, n->alias_depth + (via_alias ? 1 : 0));
    check_limits(parent, via_alias ? parent.mark : n->mark);
  }

  // P-§5.4: stop a "billion laughs" document before anything is expanded.
  void check_limits(const Node& n, const YAML::Mark& mark) const {
    if (n.expanded > kMaxExpandedNodes) {
      throw Abort{where(mark, first_line_) + ": document expands to more than " +
                  std::to_string(kMaxExpandedNodes) + " nodes (YAML alias bomb?)"};
    }
    if (n.alias_depth >= kMaxAliasDepth) {
      throw Abort{where(mark, first_line_) + ": aliases nested " + std::to_string(kMaxAliasDepth) +
                  " deep (YAML alias bomb?)"};
    }
  }

  int first_line_;
  std::vector<Open> stack_;
  std::map<YAML::anchor_t, NodePtr> anchors_;
  NodePtr root_;
};

class Converter {
 public:
  Converter(int first_line, bool json, std::vector<std::string>& errors)
      : first_line_(first_line), json_(json), errors_(errors) {}

  nlohmann::json convert(const Node& n, const std::string& path) {
    switch (n.type) {
      case Node::Type::Null: return nullptr;
      case Node::Type::Scalar: return scalar(n, path);
      case Node::Type::Seq: {
        check_tag(n, "tag:yaml.org,2002:seq", path);
        nlohmann::json arr = nlohmann::json::array();
        for (std::size_t i = 0; i < n.items.size(); ++i) {
          arr.push_back(convert(*n.items[i], index_path(path, i)));
        }
        return arr;
      }
      case Node::Type::Map: return map(n, path);
    }
    return nullptr;
  }

 private:
  void error(const YAML::Mark& m, const std::string& path, const std::string& msg) {
    errors_.push_back(where(m, first_line_) + ": " + (path.empty() ? "" : path + ": ") + msg);
  }

  void check_tag(const Node& n, std::string_view allowed, const std::string& path) {
    if (n.tag.empty() || n.tag == "?" || n.tag == "!" || n.tag == allowed) return;
    error(n.mark, path, "YAML tag " + n.tag + " is not supported");
  }

  nlohmann::json map(const Node& n, const std::string& path) {
    check_tag(n, "tag:yaml.org,2002:map", path);
    nlohmann::json obj = nlohmann::json::object();
    std::map<std::string, const Node*> seen;
    for (std::size_t i = 0; i + 1 < n.items.size(); i += 2) {
      const Node& k = *n.items[i];
      if (k.type != Node::Type::Scalar) {
        error(k.mark, path, "keys must be strings");
        continue;
      }
      if (!utf8_valid(k.value)) {
        error(k.mark, path, "key is not valid UTF-8");
        continue;
      }
      auto [it, fresh] = seen.emplace(k.value, &k);
      if (!fresh) {
        error(k.mark, path, "duplicate key \"" + k.value + "\" (first at " + where(it->second->mark, first_line_) + ")");
        continue;
      }
      std::string p = field_path(path, k.value);
      obj[k.value] = convert(*n.items[i + 1], p);
    }
    return obj;
  }

  nlohmann::json scalar(const Node& n, const std::string& path) {
    if (!utf8_valid(n.value)) {
      error(n.mark, path, "value is not valid UTF-8");
      return nullptr;
    }
    if (n.tag == "!" || n.tag == "tag:yaml.org,2002:str") return n.value;  // quoted or !!str
    if (n.tag != "?") {
      error(n.mark, path, "YAML tag " + n.tag + " is not supported (quote the value instead)");
      return nullptr;
    }
    PlainScalar p = classify_plain(n.value, json_);
    switch (p.kind) {
      case PlainScalar::Kind::String: return n.value;
      case PlainScalar::Kind::Null: return nullptr;
      case PlainScalar::Kind::Bool: return p.boolean;
      case PlainScalar::Kind::Int: return p.integer;
      case PlainScalar::Kind::Float: return p.real;
      case PlainScalar::Kind::Ambiguous:
        error(n.mark, path, "unquoted " + n.value + " is " + p.why + "; hint: quote the value: \"" + n.value +
                                "\"" + (p.why.find("boolean") != std::string::npos ? " (for a boolean write true or false)"
                                                                             : " (for a number write plain decimal digits)"));
        return nullptr;
    }
    return nullptr;
  }

  int first_line_;
  bool json_;
  std::vector<std::string>& errors_;
};

}  // namespace

ReadResult read_document(std::string_view text, int first_line, bool json) {
  ReadResult out;
  Builder builder(first_line);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    // One call only: repeated calls are LoadAll's loop, which can spin (document_split.h).
    parser.HandleNextDocument(builder);
  } catch (const Abort& a) {
    out.errors.push_back(a.message);
    return out;
  } catch (const YAML::Exception& e) {
    YAML::Mark m = e.mark;
    std::string msg = e.msg;
    out.errors.push_back((m.is_null() ? std::string("") : where(m, first_line) + ": ") + "YAML syntax error: " + msg);
    return out;
  } catch (const std::exception& e) {
    out.errors.push_back(std::string("YAML error: ") + e.what());
    return out;
  }
  if (!builder.root()) return out;  // empty document
  Converter conv(first_line, json, out.errors);
  nlohmann::json doc = conv.convert(*builder.root(), "");
  if (out.errors.empty()) out.doc = std::move(doc);
  return out;
}

}  // namespace ebb::manifest
