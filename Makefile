# The two commands of the README, and what they stand on.
#   make demo   set up, build, run the main job
#   make test   set up, build, run every test
BUILD ?= build
# ccache shares objects between checkouts (CI builds in a fresh clone): paths are hashed
# relative to the checkout, and the working directory is left out of the hash of -g builds.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
ASAN_BUILD ?= build-asan
JOBS ?= 2

.PHONY: setup build demo test test-asan valgrind-demo bench fuzz format format-check clean

setup:
	@scripts/setup

build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)/prodgate

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The unit and end-to-end tests once more, built with AddressSanitizer + UBSan.
test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPRODGATE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The demo (probe suite included) under valgrind memcheck, every prodgate process checked.
valgrind-demo: build
	@scripts/valgrind-demo $(BUILD)/prodgate

bench: build
	bench/verify_tree.sh $(BUILD)/prodgate

# The libFuzzer harnesses of fuzz/ (clang, ASan + UBSan), FUZZ_SECONDS each (default 30).
fuzz: setup
	@JOBS=$(JOBS) scripts/fuzz

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

# Fails when a tracked C++ file is not as clang-format (Debian's 14) writes it; CI runs it.
format-check: setup
	@clang-format --dry-run -Werror $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
