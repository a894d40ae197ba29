# ebb: two commands do everything on a fresh Debian 12 machine.
#   make run   install dependencies, build, start ebbd on 127.0.0.1:9324 (data in ./.data)
#   make test  install dependencies, build, run unit and integration tests
.PHONY: run test

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
	@echo
	@echo "ebbd listens on http://$(LISTEN) (data in $(DATA_DIR); auth: none, loopback only). In another terminal:"
	@echo
	@echo "  export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1"
	@echo "  aws sqs create-queue --queue-name demo --endpoint-url http://$(LISTEN)"
	@echo "  aws sqs send-message --queue-url http://$(LISTEN)/000000000000/demo --message-body hello --endpoint-url http://$(LISTEN)"
	@echo "  aws sqs receive-message --queue-url http://$(LISTEN)/000000000000/demo --endpoint-url http://$(LISTEN)"
	@echo
	@echo "  $(BUILD_DIR)/src/ebb --server http://$(LISTEN) get queues"
	@echo "  $(BUILD_DIR)/src/ebb --server http://$(LISTEN) queue send demo --body hello"
	@echo "  $(BUILD_DIR)/src/ebb --server http://$(LISTEN) queue receive demo"
	@echo
	@echo "Stop with Ctrl-C (graceful: SIGINT/SIGTERM)."
	@echo
	mkdir -p $(DATA_DIR)
	exec $(BUILD_DIR)/src/ebbd --listen $(LISTEN) --data-dir $(DATA_DIR) --auth none

test:
	$(deps_and_build)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
