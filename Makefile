# Front door. `make demo` and `make test` each do all their own set-up.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DSL_WERROR=$(if $(CI),ON,OFF)

.PHONY: all setup build test demo bench clean

all: build

setup:
	./scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 900

demo: build
	./scripts/demo.sh $(BUILD)

bench: build
	./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
