# Candystore: the two set-up commands are `make run` and `make test`; the rest are their steps.

SWIFT ?= swift
RABBIT_URL ?= amqp://guest:guest@localhost:5672/
# The integration tests get a private broker of their own on this port, beside any other.
TEST_BROKER_PORT ?= 5679
TEST_BROKER_NAME ?= candystore-test

.PHONY: deps build build-debug run test format benchmarks clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

build-debug: deps
	$(SWIFT) build

run: build
	@scripts/ensure-broker.sh "$(RABBIT_URL)" >/dev/null
	.build/release/candystore serve

test: deps
	@scripts/broker.sh start $(TEST_BROKER_PORT) $(TEST_BROKER_NAME)
	@status=0; \
	CANDYSTORE_TEST_RABBIT_URL=amqp://guest:guest@127.0.0.1:$(TEST_BROKER_PORT)/ $(SWIFT) test || status=$$?; \
	scripts/broker.sh stop $(TEST_BROKER_PORT) $(TEST_BROKER_NAME); \
	exit $$status

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks

benchmarks: deps
	$(SWIFT) build -c release
	.build/release/StoreBenchmark

clean:
	rm -rf .build
