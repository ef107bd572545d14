# prorl-verl: every target runs inside .venv/ in the repository root.
#   make install          CPU machine: CPU build of torch first, then the package (editable) + dev tools
#   make install GPU=1    CUDA machine: the package with its [gpu] extra (verl[vllm], CUDA torch)
#   make test             unit tests and the CPU end-to-end tests
#   make demo             verl's GRPO trainer on CPU with the embedded tiny model
#   make lint             ruff
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GPU ?= 0
TORCH_CPU := torch==2.13.0
EXTRAS := $(if $(filter 1,$(GPU)),dev$(comma)gpu,dev)
comma := ,
STAMP := $(VENV)/.installed-$(if $(filter 1,$(GPU)),gpu,cpu)
RUN_DIR ?= runs
ARGS ?=

.PHONY: install test lint demo unit e2e clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
ifneq ($(GPU),1)
	$(BIN)/python -m pip install --quiet $(TORCH_CPU)
endif
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

test: install
	$(BIN)/python -m pytest tests

unit: install
	$(BIN)/python -m pytest tests -m "not e2e"

e2e: install
	$(BIN)/python -m pytest tests -m e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: install
	$(BIN)/python -m prorl_verl.demo --run-dir $(RUN_DIR)/demo $(ARGS)

clean:
	rm -rf $(RUN_DIR) .pytest_cache
