# Thin wrapper over CMake. `make run`: set up, build, run on the bundled
# config. `make test`: set up, build, run every test.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
SUDO       := $(if $(filter 0,$(shell id -u)),,sudo)

# Debian 12 packages the build and the tests need.
DEPS := cmake make g++ clang pkg-config python3 \
        libboost1.81-dev libboost-json1.81-dev \
        capnproto libcapnp-dev libseccomp-dev libspdlog-dev libfmt-dev \
        libyaml-cpp-dev libcli11-dev libre2-dev clang-tidy libgtest-dev libgmock-dev libbenchmark-dev \
        libcurl4-openssl-dev libcpp-httplib-dev libssl-dev openssl prometheus \
        dpkg-dev debootstrap python3-yaml

.PHONY: all setup build run test test-sanitize test-fuzz lint bench package clean

all: build

# Installs only what is missing, so a second run costs no network.
setup:
	@missing=$$(for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DWARNINGS_AS_ERRORS=ON $(CMAKE_ARGS)

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/bulkhead -c config/falco.yaml

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: setup
	cmake -S . -B $(ASAN_BUILD) -DWARNINGS_AS_ERRORS=ON -DENABLE_ASAN=ON -DENABLE_UBSAN=ON \
	  -DBUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS) -L unit

# libFuzzer targets (clang, ASan+UBSan), each a bounded run on its corpus in tests/.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
test-fuzz: setup
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DENABLE_FUZZ=ON -DENABLE_ASAN=ON -DENABLE_UBSAN=ON -DBUILD_BENCH=OFF \
	  -DWARNINGS_AS_ERRORS=ON -DBULKHEAD_FUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_targets
	ctest --test-dir $(FUZZ_BUILD) --output-on-failure -L fuzz

# The folder graph (no cycle, no bare include: tools/folder_deps.py), then
# clang-tidy with the project's .clang-tidy over the product sources (not
# the tests); any finding fails. Uses the build's compile_commands.json;
# clang does not know some of g++'s warning options, hence the extra arg.
LINT_DIRS := config|engine|metrics|outputs|plugin_api|policies|protocol|proxy|sandbox_runner|shm_ring|supervisor
lint: build
	python3 tools/folder_deps.py .
	run-clang-tidy -p $(BUILD) -j $(JOBS) -quiet -extra-arg=-Wno-unknown-warning-option \
	  '$(CURDIR)/($(LINT_DIRS))/[^/]*\.cpp$$'

bench: build
	bench/run

# The Debian package (cmake/Packaging.cmake): $(BUILD)/bulkhead_<version>_<arch>.deb.
package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-bench
