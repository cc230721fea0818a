// Native (g++/ASan) builds have no JS host: the host-computed precompiles report failure, so
// ecrecover yields empty output and bn254/KZG fail. Native tests skip those (see precompiles_test).
// The definition is weak so a native runner can link in a real host instead.
// Under emscripten this file is empty and the symbol is a WASM import supplied by the loader.
#ifndef __EMSCRIPTEN__
#include "precompiles.hpp"

extern "C" __attribute__((weak)) int32_t fastevm_host_precompile(uint32_t /*id*/, const uint8_t* /*in*/,
                                                                 uint32_t /*in_len*/, uint8_t* /*out*/,
                                                                 uint32_t /*out_cap*/) {
  return -1;
}
#endif
