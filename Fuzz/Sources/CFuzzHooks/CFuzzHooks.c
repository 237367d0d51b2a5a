// Empty: the target exists for its header (SwiftPM needs a source file).
#include "CFuzzHooks.h"
