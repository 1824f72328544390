# kanwu: `make demo` sets up and builds the seed issue into out/; `make test` runs the suite.
VENV := .venv
KANWU := $(VENV)/bin/kanwu
SEED := issues/siping-2020-12.yaml

.PHONY: setup demo test bench clean

setup:
	@bash scripts/bootstrap.sh

demo: setup
	$(KANWU) build $(SEED) -o out
	$(KANWU) build $(SEED) --layout bulletin-a4 -o out/bulletin-a4
	@# the placeholder variant has empty image slots: its proof shows them, no print PDF (exit 1)
	$(KANWU) build issues/siping-2020-12-placeholders.yaml -o out/placeholders || test $$? -eq 1
	@echo "==> out/ holds the A3 paper, out/bulletin-a4/ the A4 bulletin"

test: setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python bench/bench.py

clean:
	rm -rf out .pytest_cache
