# prorl-verl. Every target runs inside .venv/ in the repository root.
#   make install             CPU machine: torch's CPU build first, then the package (editable) + dev tools
#   make install GPU=1       CUDA machine: the package with its [gpu] extra (verl[vllm], CUDA torch)
#   make test                the tests that do not start verl's trainer (minutes)
#   make e2e                 the tests that run verl's trainer on the CPU: stages stopped and resumed
#   make chain               stage1 ... stage8 in miniature on the CPU, with kills and resumes (a test)
#   make smoke GPU=1         the same chain on one GPU with the recipes' GPU settings (before GPU-weeks)
#   make demo                two ProRL stages of verl's trainer on the CPU with the tiny model
#   make stage1 ... stage8   the paper's schedule; ARGS='key=value ...' overrides, DRY_RUN=1 prints the config
#   make data                every dataset the stages and evaluations need (needs hub access)
#   make eval MODELS='base=path/a rl=path/b' SETS='aime24 gpqa' N=256
#             [CREATIVITY_INDEX=dir [CORPUS='files or dirs']]  adds the Creativity Index (built from CORPUS)
#   make repro [FULL=1]      the paper's claims at CPU scale (docs/repro.md); rerun to resume
#   make tiny-base           build (or reuse) the cold-started tiny model the demo starts from
#   make lint                ruff
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GPU ?= 0
TORCH_CPU := torch==2.13.0
comma := ,
EXTRAS := $(if $(filter 1,$(GPU)),dev$(comma)gpu,dev)
STAMP := $(VENV)/.installed-$(if $(filter 1,$(GPU)),gpu,cpu)
ARGS ?=
DRY_RUN ?= 0
FULL ?= 0
MODELS ?=
SETS ?= aime24 aime25 amc math500 minerva olympiadbench gpqa reasoning_gym reasoning_gym_ood graph_color
N ?= 256
DATA_DIR ?= data
EVAL_OUT ?= runs/eval
CREATIVITY_INDEX ?=
CORPUS ?=
STAGES := stage1 stage2 stage3 stage4 stage5 stage6 stage7 stage8

.PHONY: install test e2e chain smoke lint demo repro data eval tiny-base clean $(STAGES)

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
	$(BIN)/python -m pytest tests -m "not e2e"

e2e: install
	$(BIN)/python -m pytest tests -m e2e

chain: install
	PRORL_CHAIN=1 $(BIN)/python -m pytest tests/prorl_verl/test_chain_e2e.py

smoke: install
	$(BIN)/python -m prorl_verl.chain --profile gpu --run-dir runs/smoke $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

tiny-base: install
	$(BIN)/python -m prorl_verl.tiny --out runs/tiny

demo: install
	$(BIN)/python -m prorl_verl.demo $(ARGS)

repro: install
	$(BIN)/python -m prorl_verl.repro $(if $(filter 1,$(FULL)),--full) $(ARGS)

$(STAGES): install
	$(BIN)/python -m prorl_verl.launch $@ $(if $(filter 1,$(DRY_RUN)),--dry-run) $(ARGS)

data: install
	$(BIN)/python -m data_prep all --out $(DATA_DIR) $(ARGS)

eval: install
	$(BIN)/python -m prorl_verl.eval --models $(MODELS) --sets $(SETS) --n $(N) --out $(EVAL_OUT) $(ARGS)
ifneq ($(CREATIVITY_INDEX),)
	$(BIN)/python -m prorl_verl.eval creativity --generations $(EVAL_OUT) --index $(CREATIVITY_INDEX) $(if $(CORPUS),--corpus $(CORPUS))
endif

clean:
	rm -rf runs .pytest_cache
