// A C face on RE2 for Swift: compile a pattern once, then match it from any thread.
//
// RE2 matches in time linear in the text, whatever the pattern: rules run over object
// values that anyone with access to a production namespace can write, so a regex must
// never backtrack. Offsets are UTF-8 byte offsets into the text.
#ifndef SYNCRULES_RE2_H
#define SYNCRULES_RE2_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled regular expression; immutable, safe to match from several threads at once.
typedef struct syncrules_re2 syncrules_re2;

/// Compiles `pattern` (UTF-8, RE2 syntax). On failure returns NULL and stores RE2's
/// explanation in `error`, which the caller frees with `syncrules_re2_free_error`.
syncrules_re2 *syncrules_re2_compile(const char *pattern, size_t length, char **error);

void syncrules_re2_delete(syncrules_re2 *regex);
void syncrules_re2_free_error(char *error);

/// The number of capturing groups (not counting the whole match).
int syncrules_re2_group_count(const syncrules_re2 *regex);

/// The number of a named group, or -1 when the pattern has no group of that name.
int syncrules_re2_group_named(const syncrules_re2 *regex, const char *name, size_t length);

/// How a match is anchored.
enum syncrules_re2_anchor {
  syncrules_re2_unanchored = 0,
  syncrules_re2_anchor_both = 2,
};

/// Looks for a match in `text[start..<length]`. On success fills `groups[2*i]` and
/// `groups[2*i+1]` with the byte range of group i (0 is the whole match; -1 for a group
/// that did not take part) for i below `group_slots`.
bool syncrules_re2_match(
  const syncrules_re2 *regex, const char *text, size_t length, size_t start, int anchor,
  long *groups, int group_slots);

#ifdef __cplusplus
}
#endif

#endif
