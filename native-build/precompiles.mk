# Native build of the precompile tests (g++ with ASan/UBSan by default).
#   make -f native-build/precompiles.mk            -> native-build/out/precompiles_test, then run it
#   make -f native-build/precompiles.mk SANITIZE=   -> optimised build without sanitizers
# The main recipe compiles every wasm/src/**/*.cpp; this one only needs the precompiles.
CXX ?= g++
OUT ?= native-build/out
SANITIZE ?= -fsanitize=address,undefined -fno-sanitize-recover=all
CXXFLAGS ?= -std=c++20 -O2 -g -Wall -Wextra -Werror -Wshadow -fno-exceptions -fno-rtti
SRC := $(wildcard wasm/src/precompiles/*.cpp) wasm/test/precompiles_test.cpp
HDR := $(wildcard wasm/src/precompiles/*.hpp)

.PHONY: test
test: $(OUT)/precompiles_test
	$(OUT)/precompiles_test

$(OUT)/precompiles_test: $(SRC) $(HDR)
	@mkdir -p $(OUT)
	$(CXX) $(CXXFLAGS) $(SANITIZE) -o $@ $(SRC)
