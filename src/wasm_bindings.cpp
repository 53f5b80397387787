// The embind surface of the WASM module. Strings cross the boundary as JSON so that the
// shim and the native tests see exactly the same answers.
#include <emscripten/bind.h>

#include "json_api.h"

EMSCRIPTEN_BINDINGS(edgefuse_core) {
  emscripten::function("resourcesJson", &edgefuse::resourcesJson);
  emscripten::function("estimateCostJson", &edgefuse::estimateCostJson);
  emscripten::function("validateConfigJson", &edgefuse::validateConfigJson);
}
