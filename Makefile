# ebb: two commands do everything on a fresh Debian 12 machine.
#   make run   install dependencies, build, run the thumbnails demo on ebbd at 127.0.0.1:9324
#              (data in ./.data; ebbd keeps running afterwards until Ctrl-C)
#   make test  install dependencies, build, run unit and integration tests
#   make fuzz  build the libFuzzer targets with clang-14 and run each for 10 s (fuzz/README.md;
#              make test runs the same as the ctest fuzz_smoke)
.PHONY: run test fuzz

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= 2
LISTEN     ?= 127.0.0.1:9324
DATA_DIR   ?= ./.data

define deps_and_build
	bash scripts/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j $(JOBS)
endef

run:
	$(deps_and_build)
	bash examples/thumbnails/run.sh --build $(BUILD_DIR) --data $(DATA_DIR) --listen $(LISTEN)

test:
	$(deps_and_build)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

fuzz:
	bash scripts/install-deps.sh
	bash scripts/fuzz.sh --smoke --build-dir $(BUILD_DIR)-fuzz
