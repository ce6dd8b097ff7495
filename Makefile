# The README's two commands: `make demo` and `make test`. Both work on a fresh machine
# with Python 3.11+ and make: they create .venv and install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# runtime install (re-done when pyproject.toml changes). An editable install leaves qualcoop's own
# modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set Python recompiles them on every start
# (~0.2 s of each command); compileall writes the bytecode a regular `pip install` would.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	$(BIN)/python -m compileall -q qualcoop >/dev/null
	touch $@

# runtime + dev extras (pytest, hypothesis, import-linter, fpdf2)
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q qualcoop >/dev/null
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@mkdir -p out
	$(BIN)/qualcoop extract corpora/score_bali --unit paragraph -o out/segments.jsonl
	$(BIN)/qualcoop code corpora/score_bali --codebook international_cooperation --unit paragraph \
		-o out/coded_segments.csv
	$(BIN)/qualcoop report out/coded_segments.csv --by type -o out/report.html --plots out/plots
	@echo "demo outputs are in out/: segments.jsonl (documents + segments), coded_segments.csv"
	@echo "  report.html (open it in a browser) and plots/*.png"

test: $(VENV)/.installed-dev
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(VENV)/.installed-dev
	$(BIN)/python -m compileall -q qualcoop >/dev/null  # bytecode of the code as it is now (see above)
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_run.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis

# the long fuzzing profile (tests/fuzz; `make test` runs the short deterministic one):
# QUALCOOP_FUZZ_ROUNDS rounds (default 10) from QUALCOOP_FUZZ_SEED (default 0)
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev
	QUALCOOP_FUZZ=long $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz
