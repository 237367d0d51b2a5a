#include "syncrules_re2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct syncrules_re2 {
  explicit syncrules_re2(const re2::StringPiece &pattern, const RE2::Options &options)
      : regex(pattern, options) {}
  RE2 regex;
};

extern "C" syncrules_re2 *syncrules_re2_compile(const char *pattern, size_t length,
                                                 char **error) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  // Errors are returned to the caller, not printed on stderr.
  options.set_log_errors(false);
  auto *compiled = new syncrules_re2(re2::StringPiece(pattern, length), options);
  if (!compiled->regex.ok()) {
    const std::string &message = compiled->regex.error();
    *error = static_cast<char *>(std::malloc(message.size() + 1));
    if (*error != nullptr) std::memcpy(*error, message.c_str(), message.size() + 1);
    delete compiled;
    return nullptr;
  }
  *error = nullptr;
  return compiled;
}

extern "C" void syncrules_re2_delete(syncrules_re2 *regex) { delete regex; }

extern "C" void syncrules_re2_free_error(char *error) { std::free(error); }

extern "C" int syncrules_re2_group_count(const syncrules_re2 *regex) {
  return regex->regex.NumberOfCapturingGroups();
}

extern "C" int syncrules_re2_group_named(const syncrules_re2 *regex, const char *name,
                                         size_t length) {
  const auto &groups = regex->regex.NamedCapturingGroups();
  auto found = groups.find(std::string(name, length));
  return found == groups.end() ? -1 : found->second;
}

extern "C" bool syncrules_re2_match(const syncrules_re2 *regex, const char *text, size_t length,
                                     size_t start, int anchor, long *groups, int group_slots) {
  // A null text would make an empty match look like a group that did not take part.
  if (text == nullptr) text = "";
  std::vector<re2::StringPiece> submatches(group_slots > 0 ? group_slots : 0);
  re2::StringPiece whole(text, length);
  RE2::Anchor mode = anchor == syncrules_re2_anchor_both ? RE2::ANCHOR_BOTH : RE2::UNANCHORED;
  if (!regex->regex.Match(whole, start, length, mode, submatches.data(), group_slots)) {
    return false;
  }
  for (int index = 0; index < group_slots; index++) {
    const re2::StringPiece &piece = submatches[index];
    if (piece.data() == nullptr) {
      groups[2 * index] = -1;
      groups[2 * index + 1] = -1;
    } else {
      groups[2 * index] = static_cast<long>(piece.data() - text);
      groups[2 * index + 1] = static_cast<long>(piece.data() - text + piece.size());
    }
  }
  return true;
}
