/* The floor for YAML input: libyaml pulls every event of a file and does nothing with
 * them (no tree, no output). Benchmarks/run.sh builds it with `cc -O2 ... -lyaml`.
 * Prints the number of events, so the loop cannot be optimised away. */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
  FILE *file = argc > 1 ? fopen(argv[1], "rb") : stdin;
  if (!file) { perror(argv[1]); return 2; }
  yaml_parser_t parser;
  yaml_event_t event;
  unsigned long events = 0, documents = 0;
  if (!yaml_parser_initialize(&parser)) return 2;
  yaml_parser_set_input_file(&parser, file);
  for (;;) {
    if (!yaml_parser_parse(&parser, &event)) {
      fprintf(stderr, "yaml error: %s at line %lu\n", parser.problem,
              (unsigned long)parser.problem_mark.line + 1);
      return 1;
    }
    yaml_event_type_t type = event.type;
    yaml_event_delete(&event);
    events++;
    if (type == YAML_DOCUMENT_START_EVENT) documents++;
    if (type == YAML_STREAM_END_EVENT) break;
  }
  yaml_parser_delete(&parser);
  printf("%lu events, %lu documents\n", events, documents);
  return 0;
}
