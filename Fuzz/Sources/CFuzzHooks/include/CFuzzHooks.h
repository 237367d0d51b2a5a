// What the fuzzers call in the sanitizer runtimes they are linked with.
#ifndef SYNCRULES_FUZZ_HOOKS_H
#define SYNCRULES_FUZZ_HOOKS_H

#include <sanitizer/lsan_interface.h>

#endif
