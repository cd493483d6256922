# herbot: `make run` sets up what is missing and starts; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.herbot-installed

.PHONY: run setup test-deps index train test test-fast bench nlu-report lint web

# serve refreshes the index and trains the model first, each only if something changed.
run: setup
	@$(BIN)/herbot serve

setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml .python-version scripts/setup.sh
	@scripts/setup.sh

index: setup
	@$(BIN)/herbot index

train: setup
	@$(BIN)/herbot train

# Debian's chromium and chromium-driver for the browser tests (installed only when missing).
test-deps:
	@scripts/test-deps.sh

test: setup test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

# herbot beside a bare `rasa init` bot (REST latency, start-up, training, memory) and retrieval alone;
# options: make bench BENCH_ARGS="--turns 50 --no-training" (see .venv/bin/python -m bench.compare --help).
bench: index
	$(BIN)/python -m bench.compare $(BENCH_ARGS)

# Knowledge at scale: a review added to 1,000 and 10,000 reviews, start-up, memory and a turn's cost at each size,
# REST p50 beside the bare bot at 1,000; options: make bench-scale SCALE_ARGS="--reviews 1000 --no-serve".
.PHONY: bench-scale bench-ann
bench-scale: index
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

# Recall@10 of the approximate index against an exact scan at 100,000 and 1,000,000 sentence units.
bench-ann: setup
	$(BIN)/python -m bench.ann $(ANN_ARGS)

# 1, 10 and 50 concurrent conversations over REST against a herbot serve of its own, stored histories checked;
# options: make load LOAD_ARGS="--turns 100 --think 2" (see .venv/bin/python -m bench.load --help).
.PHONY: load soak
load: index
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Steady conversations for 10 minutes, memory of every process sampled against a stated bound (not in CI);
# options: make soak SOAK_ARGS="--minutes 5 --hostile 2" (hostile requests mixed in; see .venv/bin/python -m bench.soak --help).
soak: index
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

nlu-report: train
	$(BIN)/python -m herbot.cli.nlu_report

# Answer quality on bench/eval/conversations.yaml against a herbot serve of its own (several minutes).
# options: make eval EVAL_ARGS="--url http://127.0.0.1:5005 --no-nlu" (see .venv/bin/python -m bench.answers --help).
.PHONY: eval
# Every set in bench/eval/ (the six-review and one-review sets serve their own corpus); the NLU report once.
EVAL_SETS := blind blind2 blind3 blind4 blind5 blind6 blind6_seed blind7 blind7_one blind8 blind8_one blind9 blind9_one blind10 blind10_one blind11 blind11_one blind12 blind12_one blind13 blind13_one blind14 blind14_one blind15 blind15_one more_reviews one_review
eval: setup
	$(BIN)/python -m bench.answers $(EVAL_ARGS)
	@for set in $(EVAL_SETS); do $(BIN)/python -m bench.answers --no-nlu --set bench/eval/$$set.yaml $(EVAL_ARGS) || exit 1; done

lint: setup
	$(BIN)/ruff check .

# Rebuild herbot/rasa/web/vendor/ from web/package-lock.json (the result is committed).
web:
	cd web && npm ci --no-audit --no-fund && npm run build
